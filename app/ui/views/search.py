"""Leveranciers zoeken: a demand question in, ranked and explained Drentse suppliers out;
shortlist with CSV/XLSX export; save the question as a watchlist and see what is new."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import streamlit as st

from app.ui import common as c
from app.ui import supply
from app.ui.client import ApiError
from app.ui.places import municipalities

SIZES: dict[str, tuple[int | None, int | None]] = {
    "any": (None, None), "small": (None, 49), "medium": (50, 249), "large": (250, None),
}


def _filter_options() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """NLD areas, clusters and capabilities for the filters; empty when unavailable."""
    areas: dict[str, str] = {}
    clusters: dict[str, str] = {}
    caps: dict[str, str] = {}
    try:
        for a in c.cached("nld_areas", lambda: c.client().nld_areas()):
            areas[str(a["id"])] = c.label(a, "name")
        for k in c.cached("clusters", lambda: c.client().clusters()):
            clusters[str(k["id"])] = str(k.get("name") or k["id"])
        caps = c.capability_options()
    except ApiError as e:
        c.show_error(e, what=c.tr("search.filters_unavailable"))
    return areas, clusters, caps


def filters_form() -> dict[str, Any]:
    areas, clusters, caps = _filter_options()
    munis = {str(r.id): str(r.name) for r in municipalities().itertuples()}
    with st.expander(c.tr("search.filters"), expanded=False):
        col1, col2 = st.columns(2)
        nld = col1.multiselect(c.tr("search.nld_area"), list(areas), format_func=c.fmt(areas),
                               key="f_nld")
        cl = col2.multiselect(c.tr("search.cluster"), list(clusters),
                              format_func=c.fmt(clusters), key="f_cluster")
        mu = col1.multiselect(c.tr("search.municipality"), list(munis),
                              format_func=c.fmt(munis), key="f_muni")
        size = col2.selectbox(c.tr("search.size"), list(SIZES),
                              format_func=lambda s: c.tr(f"size.{s}"), key="f_size")
        cap = st.multiselect(c.tr("search.capability"), list(caps), format_func=c.fmt(caps),
                             key="f_cap", placeholder=c.tr("search.capability_hint"))
        col3, col4, col5 = st.columns(3)
        kinds = col3.multiselect(c.tr("supply.kinds"), list(supply.KINDS),
                                 format_func=supply.kind_label, key="f_kind",
                                 placeholder=c.tr("supply.kinds_hint"))
        access = col4.multiselect(c.tr("supply.access"), list(supply.ACCESS),
                                  format_func=lambda m: c.tr(f"supply.access.{m}"),
                                  key="f_access")
        area = col5.number_input(c.tr("supply.min_area"), min_value=0.0, max_value=100_000.0,
                                 value=None, step=10.0, key="f_area")
        col6, col7 = st.columns(2)
        comp = col6.multiselect(c.tr("search.compliance"), list(CLAIMS),
                                format_func=lambda k: CLAIMS[k][0 if c.lang() == "nl" else 1],
                                key="f_compliance")
        verified = col6.checkbox(c.tr("search.verified_only"), key="f_verified")
        exp = col7.multiselect(c.tr("search.defence_experience"), list(EXPERIENCE),
                               format_func=lambda k: c.tr(f"exp.{k}"), key="f_experience")
    lo, hi = SIZES[size]
    out: dict[str, Any] = {"nld_areas": nld, "clusters": cl, "municipalities": mu,
                           "capabilities": cap, "min_employees": lo, "max_employees": hi,
                           "kinds": kinds, "access": access,
                           "min_area_ha": float(area) if area else None,
                           "compliance": comp, "verified_only": verified or None,
                           "defence_experience": exp}
    return {k: v for k, v in out.items() if v not in (None, [])}


# The claim kinds and their labels (nl, en), as the API names them.
CLAIMS = {"iso9001": ("ISO 9001", "ISO 9001"), "aqap2110": ("AQAP 2110", "AQAP 2110"),
          "as9100": ("AS9100", "AS9100"), "ncage": ("NCAGE-code", "NCAGE code"),
          "abdo_abro": ("ABDO/ABRO-ervaring", "ABDO/ABRO experience"),
          "security_officer": ("Beveiligingsfunctionaris", "Security officer")}
EXPERIENCE = ("none", "indirect", "direct", "unknown")
CLAIM_COLOURS = {"verified": "green", "evidence_uploaded": "blue", "self_declared": "gray"}


def trust_badges(hit: dict[str, Any]) -> list[tuple[str, str]]:
    """One badge per compliance claim (its state, expired in red) and the defence experience."""
    row = []
    for b in hit.get("compliance") or []:
        label = b.get("label_nl") if c.lang() == "nl" else b.get("label_en")
        text = f"{label}: {c.tr('claim.' + str(b.get('state')))}"
        if b.get("expired"):
            row.append((f"{text} ({c.tr('badge.expired')})", "red"))
        else:
            row.append((text, CLAIM_COLOURS.get(str(b.get("state")), "gray")))
    if hit.get("defence_experience"):
        row.append((c.tr(f"exp.{hit['defence_experience']}"), "violet"))
    return row


def badges(hit: dict[str, Any]) -> None:
    exp = hit.get("explanation") or {}
    row = []
    if exp.get("stale") or not hit.get("last_verified"):
        row.append((c.tr("badge.stale"), "orange"))
    if not exp.get("verified", bool(hit.get("last_verified"))):
        row.append((c.tr("badge.unverified"), "gray"))
    if hit.get("synthetic"):
        row.append((c.tr("badge.synthetic"), "violet"))
    if hit.get("kvk_status") == "placeholder":
        row.append((c.tr("badge.placeholder_kvk"), "blue"))
    row += trust_badges(hit)
    if row:
        st.markdown(" ".join(f":{colour}-badge[{c.md(text)}]" for text, colour in row))


def result_card(hit: dict[str, Any]) -> None:
    exp = hit.get("explanation") or {}
    kind = str(hit.get("kind") or "company")
    key = hit.get("kvk_number") or hit.get("id")
    with st.container(border=True, key=f"hit_{key}"):
        top, right = st.columns([5, 1])
        top.markdown(f"#### {int(hit.get('rank', 0))}. {c.md(hit.get('name'))}")
        top.caption(" · ".join(c.md(x) for x in (
            supply.kind_label(kind),
            f"KvK {hit.get('kvk_number')}" if hit.get("kvk_number") else "",
            hit.get("municipality") or "", hit.get("website") or "") if x))
        right.metric(c.tr("search.score"), f"{float(hit.get('score') or 0):.2f}")
        if kind == "company":
            badges(hit)
        details = supply.attributes_markdown(kind, hit.get("attributes") or {})
        if details:
            st.markdown(details)
        wants = [x for x in exp.get("constraints") or [] if x.get("text")]
        if wants:
            st.markdown(f"**{c.tr('supply.constraints')}:** " + "; ".join(
                ("✓ " if x.get("met") else "✗ " if x.get("met") is False else "? ")
                + c.md(x["text"]) for x in wants))
        concepts = exp.get("concepts") or []
        if concepts:
            names = dict.fromkeys(str(x.get("label") or x.get("id")) for x in concepts)
            st.markdown(f"**{c.tr('search.matched_concepts')}:** "
                        + ", ".join(f":blue-background[{c.md(n)}]" for n in names))
        for ph in exp.get("phrases") or []:
            st.markdown("> " + c.highlight(str(ph.get("text") or ""),
                                           list(ph.get("highlights") or [])))
        paths = exp.get("graph_paths") or []
        with st.expander(c.tr("search.why")):
            if paths:
                st.markdown(f"**{c.tr('search.graph_path')}**")
                for p in paths[:5]:
                    st.text(str(p))
            terms = exp.get("lexical_terms") or []
            if terms:
                st.markdown(f"**{c.tr('search.terms')}:** " + ", ".join(c.md(x) for x in terms))
            scores = exp.get("scores") or {}
            shown = {k: v for k, v in scores.items() if isinstance(v, int | float)}
            if shown:
                st.dataframe(pd.DataFrame([shown]), hide_index=True)
        if kind != "company" or not hit.get("kvk_number"):
            return  # shortlists hold companies (by KvK number)
        kvk = str(hit.get("kvk_number"))
        listed = kvk in st.session_state.setdefault("shortlist", {})
        left, right = st.columns(2)
        if left.button(c.tr("search.in_shortlist") if listed else c.tr("search.add_shortlist"),
                       key=f"add_{kvk}", disabled=listed):
            st.session_state["shortlist"][kvk] = {
                "kvk_number": kvk, "name": hit.get("name"), "municipality":
                    hit.get("municipality"), "score": hit.get("score"),
                "website": hit.get("website"), "question": st.session_state.get(
                    "last_question", "")}
            st.rerun()
        introduce_button(right, kvk)


def introduce_button(where: Any, kvk: str) -> None:
    """One click: this supplier introduced (`voorgesteld`) for the question just asked."""
    question_id = (st.session_state.get("search_result") or {}).get("demand_question_id")
    done = st.session_state.setdefault("introduced", {})
    key = f"{question_id}:{kvk}"
    if key in done:
        where.button(c.tr("search.introduced"), key=f"intro_{kvk}", disabled=True)
        return
    if question_id and where.button(c.tr("search.introduce"), key=f"intro_{kvk}"):
        if c.call(c.client().introduce, kvk, str(question_id)) is not None:
            done[key] = True
            st.rerun()


def shortlist_frame() -> pd.DataFrame:
    rows = list(st.session_state.get("shortlist", {}).values())
    return pd.DataFrame(rows, columns=["kvk_number", "name", "municipality", "score",
                                       "website", "question"])


def to_xlsx(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as w:
        df.to_excel(w, index=False, sheet_name="shortlist")
    return buf.getvalue()


def shortlist_panel() -> None:
    st.subheader(c.tr("search.shortlist"))
    df = shortlist_frame()
    if df.empty:
        st.caption(c.tr("search.shortlist_empty"))
        return
    st.dataframe(df, hide_index=True)
    col1, col2, col3, col4 = st.columns(4)
    col1.download_button(c.tr("search.export_csv"), df.to_csv(index=False, sep=";")
                         .encode("utf-8-sig"), "shortlist.csv", "text/csv")
    col2.download_button(c.tr("search.export_xlsx"), to_xlsx(df), "shortlist.xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if col3.button(c.tr("search.shortlist_save")):
        cl = c.client()
        created = c.call(cl.create_shortlist, c.tr("search.shortlist_name"),
                         st.session_state.get("last_question"), what=c.tr("search.shortlist"))
        if created and created.get("id"):
            for kvk in df["kvk_number"]:
                c.call(cl.add_shortlist_item, str(created["id"]), str(kvk))
            st.success(c.tr("search.shortlist_saved"))
    if col4.button(c.tr("search.shortlist_clear")):
        st.session_state["shortlist"] = {}
        st.rerun()


def watchlist_panel(question: str | None, filters: dict[str, Any]) -> None:
    st.subheader(c.tr("search.watchlists"))
    cl = c.client()
    if question:
        name = st.text_input(c.tr("search.watch_name"), value=question[:60], key="watch_name")
        if st.button(c.tr("search.watch_save")):
            if c.call(cl.create_watchlist, name, question, filters,
                      what=c.tr("search.watchlists")) is not None:
                st.success(c.tr("search.watch_saved"))
    try:
        lists = cl.watchlists()
    except ApiError as e:
        c.show_error(e, what=c.tr("search.watchlists"))
        return
    if not lists:
        st.caption(c.tr("search.watch_none"))
        return
    names = {str(w["id"]): str(w.get("name") or w.get("question") or w["id"]) for w in lists}
    wid = st.selectbox(c.tr("search.watch_pick"), list(names), format_func=c.fmt(names))
    if wid and st.button(c.tr("search.watch_new")):
        new = c.call(cl.watchlist_new, wid, True, what=c.tr("search.watchlists"))
        items = (new.get("items") or new.get("hits") or []) if isinstance(new, dict) else \
            (new or [])
        if new is not None and not items:
            st.info(c.tr("search.watch_nothing_new"))
        for h in items:
            st.markdown(f"- **{c.md(h.get('name'))}** (KvK {c.md(h.get('kvk_number'))})"
                        + (f" — {c.md(h.get('reason'))}" if h.get("reason") else ""))


def render() -> None:
    c.page_header("page.search", "search.intro")
    with st.form("search"):
        question = st.text_area(c.tr("search.question"), key="question",
                                placeholder=c.tr("search.placeholder"), height=90)
        top_k = st.slider(c.tr("search.top_k"), 3, 50, 10, key="top_k")
        submitted = st.form_submit_button(c.tr("search.submit"), type="primary")
    filters = filters_form()
    if submitted:
        if not question.strip():
            st.warning(c.tr("search.need_question"))
        else:
            with st.spinner(c.tr("search.busy")):
                res = c.call(c.client().match, question.strip(), top_k=top_k,
                             filters=filters, lang=None)
            if res is not None:
                st.session_state["search_result"] = res
                st.session_state["last_question"] = question.strip()
                st.session_state["last_filters"] = filters
    res = st.session_state.get("search_result")
    if res:
        concepts = res.get("concepts") or []
        if concepts:
            st.caption(c.tr("search.question_concepts") + ": " + ", ".join(
                c.md(x.get("label") or x.get("id")) for x in concepts))
        hits = res.get("hits") or []
        if not hits:
            st.info(c.tr("search.no_results"))
        for hit in hits:
            result_card(hit)
    st.divider()
    shortlist_panel()
    st.divider()
    watchlist_panel(st.session_state.get("last_question"),
                    st.session_state.get("last_filters") or {})
