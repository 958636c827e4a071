"""Loket: a company submits an idea, offer or question for Defence and follows its status;
a business developer sees the queue with the reverse matches and triages it."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app.ui import common as c
from app.ui.client import ApiError

KINDS = ("idee", "aanbod", "vraag")
TRIAGE = ("in_behandeling", "doorverwezen", "afgesloten")


def submit_form() -> None:
    st.subheader(c.tr("loket.new"))
    with st.form("loket_new", clear_on_submit=True):
        kind = st.radio(c.tr("loket.kind"), KINDS, horizontal=True,
                        format_func=lambda k: c.tr(f"loket.kind.{k}"), key="loket_kind")
        title = st.text_input(c.tr("loket.title"), max_chars=200, key="loket_title")
        text = st.text_area(c.tr("loket.text"), height=140, key="loket_text")
        sent = st.form_submit_button(c.tr("loket.send"), type="primary")
    if sent:
        if not title.strip() or not text.strip():
            st.warning(c.tr("loket.need_text"))
            return
        item = c.call(c.client().submit_loket, kind, title.strip(), text.strip())
        if item is not None:
            st.success(c.tr("loket.sent"))


def _status(item: dict[str, Any]) -> str:
    s = str(item.get("status") or "new")
    key = f"loket.status.{s}"
    text = c.tr(key)
    return s if text == key else text


def item_table(items: list[dict[str, Any]]) -> None:
    st.dataframe(pd.DataFrame([{
        c.tr("col.status"): _status(i), c.tr("loket.kind"): c.tr(f"loket.kind.{i.get('kind')}")
        if i.get("kind") in KINDS else i.get("kind"),
        c.tr("loket.title"): i.get("title"), c.tr("col.submitted"): i.get("created_at")
        or i.get("submitted_at"), "KvK": i.get("kvk_number") or ""} for i in items]),
        hide_index=True)


def _names(values: Any) -> list[str]:
    out = []
    for v in values or []:
        if isinstance(v, dict):
            out.append(str(v.get("name") or v.get(f"name_{c.lang()}") or v.get("label")
                           or v.get("question") or v.get("title") or v.get("id")))
        else:
            out.append(str(v))
    return out


def reverse_matches(item: dict[str, Any]) -> None:
    rm = item.get("reverse_matches") or item.get("matches") or {}
    groups = (("nld_areas", "loket.rm.nld"), ("clusters", "loket.rm.clusters"),
              ("knowledge_partners", "loket.rm.partners"),
              ("demand_questions", "loket.rm.demand"), ("past_demand", "loket.rm.demand"))
    shown = False
    concepts = rm.get("concepts") if isinstance(rm, dict) else None
    if concepts:
        shown = True
        st.markdown(f"**{c.tr('search.question_concepts')}:** " + ", ".join(
            c.md(c.label(x)) for x in concepts))
    for key, label_key in groups:
        names = _names(rm.get(key) if isinstance(rm, dict) else None)
        if names:
            shown = True
            st.markdown(f"**{c.tr(label_key)}:** " + ", ".join(c.md(n) for n in names))
    if not shown:
        st.caption(c.tr("loket.rm.none"))


def queue() -> None:
    st.subheader(c.tr("loket.queue"))
    try:
        items = c.client().loket_items()
    except ApiError as e:
        c.show_error(e, what=c.tr("loket.queue"))
        return
    if not items:
        st.info(c.tr("loket.empty"))
        return
    item_table(items)
    ids = {str(i["id"]): f"{i.get('title')} ({_status(i)})" for i in items if i.get("id")}
    pick = st.selectbox(c.tr("loket.open"), list(ids), format_func=c.fmt(ids), key="loket_pick")
    if not pick:
        return
    item = c.call(c.client().loket_item, pick)
    if not item:
        return
    with st.container(border=True):
        st.markdown(f"#### {c.md(item.get('title'))}")
        st.markdown(c.md(item.get("text")))
        reverse_matches(item)
        for n in item.get("notes") or []:
            if isinstance(n, dict):
                st.caption(f"{c.md(n.get('at'))} · {c.md(_status(n))}: {c.md(n.get('note'))}")
    with st.form("triage"):
        status = st.selectbox(c.tr("col.status"), TRIAGE, key="triage_status",
                              format_func=lambda s: c.tr(f"loket.status.{s}"))
        note = st.text_area(c.tr("col.note"), key="triage_note")
        go = st.form_submit_button(c.tr("loket.triage"))
    if go and c.call(c.client().triage, pick, status, note) is not None:
        st.success(c.tr("loket.triaged"))


def render() -> None:
    c.page_header("page.loket", "loket.intro")
    if c.role() in ("company", "admin"):
        submit_form()
    if c.role() in ("bizdev", "admin"):
        queue()
    elif c.role() == "company":
        st.subheader(c.tr("loket.mine"))
        try:
            items = c.client().loket_items()
        except ApiError as e:
            c.show_error(e, what=c.tr("loket.mine"))
            return
        if items:
            item_table(items)
        else:
            st.caption(c.tr("loket.mine_empty"))
