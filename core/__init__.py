"""What every layer shares and none owns: the settings loader and the error base.

graph, ontology, matching, ingest and app each import from here; core imports none of them.
"""
