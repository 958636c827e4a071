"""Paraat's graph layer: settings, the managed local Neo4j, schema, queries and repositories."""
