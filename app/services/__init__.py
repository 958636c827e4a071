"""Logic the API and the CLI share (one module per area). A route parses, authorises, calls a
service and shapes the answer; a CLI command parses, calls the same service and prints.
`wiring.py` builds what both need: the encoder, the embedding cache, a driver with the schema."""
