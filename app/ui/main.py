"""Streamlit entry point. It talks to the API only (never to Neo4j)."""

from __future__ import annotations

import argparse
import sys

import httpx
import streamlit as st


def _api_url() -> str:
    parser = argparse.ArgumentParser()
    parser.add_argument("--api", default="http://127.0.0.1:8000")
    args, _ = parser.parse_known_args(sys.argv[1:])
    return str(args.api).rstrip("/")


st.set_page_config(page_title="Paraat", page_icon="🛡️", layout="wide")
st.title("Paraat")
st.caption("Drentse defensieleveranciers vinden en verbinden")
api = _api_url()
try:
    health = httpx.get(f"{api}/health", timeout=5).json()
    if health.get("status") == "ok":
        st.success(f"Verbonden met de graaf (Neo4j {health['neo4j']['version']}).")
    else:
        st.warning("De graafdatabase is nu niet bereikbaar. Probeer het straks opnieuw.")
except httpx.HTTPError:
    st.error("De Paraat-API is niet bereikbaar. Probeer het straks opnieuw.")
