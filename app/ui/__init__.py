"""Streamlit UI: a client of the API."""
