"""Streamlit entry point (`paraat serve ui --api URL`). It talks to the API only, never to
Neo4j; the API's address comes from `--api` after `--` on the streamlit command line.

Streamlit puts this folder first on sys.path, so no module here may be called `app.py` (it
would hide the `app` package)."""

from __future__ import annotations

from app.ui.shell import run

run()
