"""Paraat ontology package: Turtle files (OWL, SKOS, SHACL) plus loaders.

Importing the package is cheap; the Turtle files are parsed on the first `load_taxonomy()`.
"""

from ontology.concepts import Concept, ConceptHit
from ontology.taxonomy import Taxonomy, load_taxonomy
from ontology.vocab import PA, iri_for, parse_iri

__all__ = ["PA", "Concept", "ConceptHit", "Taxonomy", "iri_for", "load_taxonomy", "parse_iri"]
