"""The FastAPI service: the one gate to the graph."""
