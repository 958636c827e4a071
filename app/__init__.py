"""Paraat's user-facing parts: the `paraat` CLI, the FastAPI service and the Streamlit UI."""
