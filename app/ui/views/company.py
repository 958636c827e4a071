"""Bedrijfsprofiel: one company's profile as the API shows it to the caller. The API leaves
out every field the company keeps from this role, so the page shows only what it receives
(an anonymous reader sees the public fields only)."""

from __future__ import annotations

import re
from typing import Any

import streamlit as st

from app.ui import common as c
from app.ui.client import ApiError
from app.ui.views.search import trust_badges


def show(p: dict[str, Any]) -> None:
    st.subheader(p.get("name") or "")
    muni = (p.get("municipality") or {}).get("name")
    st.caption(" · ".join(c.md(x) for x in (f"KvK {p.get('kvk_number')}", muni,
                                             p.get("website")) if x))
    badges = trust_badges({"compliance": p.get("compliance_claims"),
                           "defence_experience": p.get("defence_experience")})
    if badges:
        st.markdown(" ".join(f":{colour}-badge[{c.md(text)}]" for text, colour in badges))
    text = p.get("description_en") if c.lang() == "en" and p.get("description_en") \
        else p.get("description")
    if text:
        st.markdown(c.md(text), help=None)
    caps = [*(p.get("declared_capabilities") or []), *(p.get("inferred_capabilities") or [])]
    if caps:
        st.markdown(f"**{c.tr('field.capabilities')}:** " + ", ".join(
            c.md(c.label(x)) for x in caps))
    if p.get("employees") is not None:
        st.markdown(f"**{c.tr('field.employees')}:** {int(p['employees'])}")


def render() -> None:
    c.page_header("page.company", "company.intro")
    given = st.query_params.get("kvk", "")
    kvk = st.text_input(c.tr("company.kvk"), value=given, max_chars=8, key="company_kvk")
    if not kvk:
        return
    if not re.fullmatch(r"\d{8}", kvk.strip()):
        st.error(c.tr("company.not_found"))
        return
    try:
        profile = c.client().company(kvk.strip())
    except ApiError as e:
        if e.kind == "not_found":
            st.error(c.tr("company.not_found"))
        else:
            c.show_error(e)
        return
    show(profile)
