"""Scouting (issue 21): prospects for an NLD area or an asked question, companies without
defence experience first, and the scouting status scouts keep per company."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.ui import common as c
from app.ui.client import ApiError

NEXT = {"niet_benaderd": "benaderd", "benaderd": "in_gesprek", "in_gesprek": "verbonden"}


def render() -> None:
    c.page_header("page.scouting", "scouting.intro")
    try:
        areas = {str(a["id"]): c.label(a, "name")
                 for a in c.cached("nld_areas", lambda: c.client().nld_areas())}
    except ApiError as e:
        c.show_error(e)
        return
    with st.form("prospects"):
        area = st.selectbox(c.tr("scouting.area"), [""] + list(areas),
                            format_func=lambda a: areas.get(a, "—"))
        qid = st.text_input(c.tr("scouting.question"))
        if st.form_submit_button(c.tr("scouting.show")):
            st.session_state["prospect_query"] = (
                {"question_id": qid.strip()} if qid.strip() else {"nld_area": area or None})
    query = st.session_state.get("prospect_query")
    if not query or not any(query.values()):
        return
    pros = c.call(c.client().prospects, **query)
    if pros is None:
        return
    if not pros:
        st.info(c.tr("scouting.none"))
        return
    st.dataframe(pd.DataFrame([{
        c.tr("scouting.company"): p.get("name"), "KvK": p["kvk_number"],
        c.tr("scouting.experience"): p.get("defence_experience") or c.tr("scouting.unknown"),
        c.tr("monitor.status"): c.tr(f"status.{p['scouting_status']}"),
        "score": p["score"]} for p in pros]), hide_index=True)
    if c.role() not in ("scout", "admin"):
        return
    open_ = {p["kvk_number"]: p for p in pros if p["scouting_status"] in NEXT}
    if not open_:
        return
    with st.form("scouting_step"):
        kvk = st.selectbox(c.tr("scouting.company"), list(open_),
                           format_func=lambda k: f"{open_[k].get('name')} → "
                           f"{c.tr('status.' + NEXT[open_[k]['scouting_status']])}")
        note = st.text_input(c.tr("monitor.note"))
        if st.form_submit_button(c.tr("scouting.set")):
            step = NEXT[open_[kvk]["scouting_status"]]
            if c.call(c.client().set_scouting, kvk, step, note) is not None:
                st.success(c.tr("monitor.saved"))
                st.rerun()
