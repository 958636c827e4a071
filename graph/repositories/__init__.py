"""One repository per area of the graph (`<area>.py`), each over an injected `neo4j.Driver`;
`base.py` holds what they share. Import the area module you need."""
