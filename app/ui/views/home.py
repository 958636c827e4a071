"""Start: is the API up, who am I, what can I do here."""

from __future__ import annotations

import streamlit as st

from app.ui import common as c
from app.ui.client import ApiError


def render() -> None:
    c.page_header("app.title", "app.tagline")
    try:
        health = c.client().health()
    except ApiError as e:
        c.show_error(e)
        health = None
    if health is not None:
        if health.get("status") == "ok":
            st.success(c.tr("home.connected",
                            version=(health.get("neo4j") or {}).get("version", "?")))
        else:
            st.warning(c.tr("home.graph_down"))
    u = c.user()
    if u:
        st.markdown(c.tr("home.welcome", name=c.md(u.get("name")),
                         role=c.tr(f"role.{c.role()}")))
    else:
        st.info(c.tr("home.login_hint"))
    st.markdown(c.tr("home.pages"))
