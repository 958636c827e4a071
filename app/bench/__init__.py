"""`paraat bench …`: one module per benchmark, their shared pieces in `common`.

Every benchmark runs against a private Neo4j and writes JSON (under docs/bench/ when kept),
with a baseline measured in the same run: `ingest`, `matching`, `encoders`, `load` (HTTP),
`scale`, `admin_import` (neo4j-admin bulk load) and `cli` (cold start).
"""
