"""Pipelines that fill the graph: ontology, seed data, company registries, synthetic data, RDF."""
