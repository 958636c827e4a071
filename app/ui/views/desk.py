"""A desk's queue (issue 20): the confirmed loket items routed to one desk, why each came here,
and the desk's actions: take it up or close it (the loket's triage) or refer it to another
desk ("doorverwezen", audited by the API). `?desk=…` (the desks' notification mails) picks it."""

from __future__ import annotations

from typing import Any

import streamlit as st

from app.ui import common as c

STATUSES = ("new", "in_behandeling", "doorverwezen", "afgesloten")


def _name(d: dict[str, Any]) -> str:
    return str(d.get(f"name_{c.lang()}") or d.get("name_nl") or d.get("id"))


def item_card(item: dict[str, Any], desk: str, names: dict[str, str]) -> None:
    status = c.tr(f"loket.status.{item.get('status')}")
    with st.expander(f"{c.md(item.get('title'))} · {status}"):
        st.markdown(c.md(item.get("text")))
        st.caption(f"{c.tr('desk.from')}: {c.md(item.get('contact_email') or '')} "
                   f"{c.md(item.get('kvk_number') or '')} · {c.md(item.get('confirmed_at'))}")
        st.markdown(f"**{c.tr('desk.reason')}:** {c.md(item.get('reason') or '')}")
        history = [f"{c.md(names.get(r['desk'], r['desk']))}: {c.md(r.get('reason') or '')}"
                   + ("" if r.get("active", True) else " ⤳ " + c.md(r.get("referred_to")))
                   for r in item.get("routes") or []]
        if history:
            st.markdown(f"**{c.tr('desk.history')}:**\n\n- " + "\n- ".join(history))
        iid = item["id"]
        cols = st.columns(2)
        with cols[0].form(f"triage_{iid}"):
            new = st.selectbox(c.tr("loket.triage"), ("in_behandeling", "afgesloten"),
                               format_func=lambda s: c.tr(f"loket.status.{s}"),
                               key=f"desk_status_{iid}")
            note = st.text_input(c.tr("desk.refer_note"), key=f"desk_note_{iid}")
            if st.form_submit_button(c.tr("loket.triage")):
                if c.call(c.client().triage, iid, new, note) is not None:
                    st.success(c.tr("loket.triaged"))
        with cols[1].form(f"refer_{iid}"):
            others = [d for d in names if d != desk]
            to = st.selectbox(c.tr("desk.refer"), others, format_func=lambda d: names[d],
                              key=f"desk_to_{iid}")
            why = st.text_input(c.tr("desk.refer_note"), key=f"desk_why_{iid}")
            if st.form_submit_button(c.tr("desk.refer_send")):
                if c.call(c.client().refer, iid, to, desk, why) is not None:
                    st.success(c.tr("desk.referred"))


def render() -> None:
    c.page_header("page.desk")
    rows = c.call(c.client().desks)
    if not rows:
        return
    names = {d["id"]: _name(d) for d in rows}
    wanted = st.query_params.get("desk")
    ids = list(names)
    desk = st.selectbox(c.tr("desk.choose"), ids, format_func=lambda d: names[d],
                        index=ids.index(wanted) if wanted in ids else 0, key="desk_id")
    status = st.selectbox(c.tr("desk.status"), ("", *STATUSES), key="desk_status_filter",
                          format_func=lambda s: c.tr(f"loket.status.{s}") if s
                          else c.tr("desk.all"))
    items = c.call(c.client().desk_queue, desk, status or None)
    if items is None:
        return
    if not items:
        st.info(c.tr("loket.empty"), icon=":material/inbox:")
    for item in items:
        item_card(item, desk, names)
