"""Monitor (issue 21): the KPIs with a CSV export, the supply gaps beside the agenda's
acquisition sectors, the agenda's 13 asks with their status, and the introductions funnel.
The policy role sees the aggregates and keeps the agenda's status; bizdev, scouts and admins
also see and advance the introductions."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from app.ui import common as c
from app.ui.client import ApiError

STAGES = ("voorgesteld", "geaccepteerd", "gesprek", "vervolg")
NEXT = {"voorgesteld": ("geaccepteerd", "afgewezen"), "geaccepteerd": ("gesprek", "afgewezen"),
        "gesprek": ("vervolg", "afgewezen")}
ASK_STATUSES = ("te_verkennen", "in_uitvoering", "afgerond")
INTRODUCERS = ("bizdev", "scout", "admin")
AGENDA_KEEPERS = ("policy", "admin")


def status(s: Any) -> str:
    return c.tr(f"status.{s}")


def funnel_figure(introductions: list[dict[str, Any]]) -> go.Figure:
    """How many introductions reached each stage (and how many were declined)."""
    reached = {i["status"]: int(i["reached"]) for i in introductions}
    fig = go.Figure(go.Funnel(y=[status(s) for s in STAGES],
                              x=[reached.get(s, 0) for s in STAGES],
                              textinfo="value+percent initial"))
    fig.update_layout(height=320, margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return fig


def kpis_tab(k: dict[str, Any]) -> None:
    intro_total = sum(int(i["current"]) for i in k["introductions"])
    col1, col2, col3, col4 = st.columns(4)
    col1.metric(c.tr("monitor.asked"), k["demand_asked"])
    col2.metric(c.tr("monitor.answered"), k["demand_answered"])
    col3.metric(c.tr("monitor.open_gaps"), k["open_gaps"])
    col4.metric(c.tr("monitor.introduced"), intro_total)
    st.subheader(c.tr("monitor.funnel"))
    with st.container(key="kpi_funnel_box"):
        st.plotly_chart(funnel_figure(k["introductions"]), key="kpi_funnel")
    st.dataframe(pd.DataFrame([{c.tr("monitor.stage"): status(i["status"]),
                                "nu / now": i["current"], "bereikt / reached": i["reached"]}
                               for i in k["introductions"]]), hide_index=True)
    left, right = st.columns(2)
    with left:
        st.subheader(c.tr("monitor.companies"))
        comp = pd.DataFrame(k["companies_per_month"], columns=["month", "registered",
                                                               "verified"])
        if not comp.empty:
            long = comp.melt("month", var_name="kind", value_name="n")
            long["kind"] = long["kind"].map({"registered": c.tr("monitor.registered"),
                                             "verified": c.tr("monitor.verified")})
            st.plotly_chart(px.bar(long, x="month", y="n", color="kind", barmode="group",
                                   labels={"month": c.tr("monitor.month"),
                                           "n": c.tr("monitor.count"), "kind": ""})
                            .update_xaxes(type="category"), key="kpi_companies")
        else:
            st.caption("—")
    with right:
        st.subheader(c.tr("monitor.demand"))
        dem = pd.DataFrame(k["demand_per_month"], columns=["month", "asked", "answered"])
        if not dem.empty:
            long = dem.melt("month", var_name="kind", value_name="n")
            long["kind"] = long["kind"].map({"asked": c.tr("monitor.asked"),
                                             "answered": c.tr("monitor.answered")})
            st.plotly_chart(px.bar(long, x="month", y="n", color="kind", barmode="group",
                                   labels={"month": c.tr("monitor.month"),
                                           "n": c.tr("monitor.count"), "kind": ""})
                            .update_xaxes(type="category"), key="kpi_demand")
        else:
            st.caption("—")
    st.subheader(c.tr("monitor.loket"))
    desks = pd.DataFrame([{"desk": d["name_en"] if c.lang() == "en" else d["name_nl"],
                           "n": d["submissions"], "responded": d["responded"],
                           c.tr("monitor.median_hours"): d["median_hours_to_first_response"]}
                          for d in k["loket_per_desk"]])
    if not desks.empty:
        st.dataframe(desks, hide_index=True)
    try:
        data = c.client().kpis_csv()
    except ApiError as e:
        c.show_error(e)
        return
    st.download_button(c.tr("monitor.csv"), data, "paraat-kpis.csv", "text/csv",
                       key="kpi_csv")


def gaps_tab(g: dict[str, Any]) -> None:
    st.caption(c.tr("monitor.threshold", t=g["threshold"], n=g["min_good_matches"]))
    lang = c.lang()

    def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
        return pd.DataFrame([{"name": r[f"name_{lang}"] or r["id"],
                              c.tr("monitor.gaps"): r["gaps"],
                              c.tr("monitor.open_gaps"): r["open_gaps"],
                              c.tr("monitor.questions"): r["questions"]} for r in rows],
                            columns=["name", c.tr("monitor.gaps"), c.tr("monitor.open_gaps"),
                                     c.tr("monitor.questions")])

    sectors = frame(g["by_sector"])
    left, right = st.columns([3, 2])
    with left:
        st.subheader(c.tr("monitor.by_sector"))
        st.plotly_chart(px.bar(sectors, x="name", y=c.tr("monitor.gaps"),
                               labels={"name": ""}), key="gap_sectors")
    with right:
        st.subheader(c.tr("monitor.by_sector"))
        st.dataframe(sectors, hide_index=True)
    if not g["gaps"]:
        st.info(c.tr("monitor.no_gaps"))
    months = pd.DataFrame(g["by_month"], columns=["month", "questions", "gaps", "open_gaps"])
    if not months.empty:
        st.subheader(c.tr("monitor.by_month"))
        st.plotly_chart(px.line(months, x="month", y=["questions", "gaps", "open_gaps"],
                                markers=True, labels={"month": c.tr("monitor.month"),
                                                      "value": c.tr("monitor.count")})
                        .update_xaxes(type="category"), key="gap_months")
    left, right = st.columns(2)
    with left:
        st.subheader(c.tr("monitor.by_area"))
        st.dataframe(frame(g["by_nld_area"]), hide_index=True)
    with right:
        st.subheader(c.tr("monitor.by_capability"))
        st.dataframe(frame(g["by_capability"]), hide_index=True)


def agenda_tab(asks: list[dict[str, Any]]) -> None:
    may_edit = c.role() in AGENDA_KEEPERS
    lang = c.lang()
    for pillar in (1, 2, 3):
        st.subheader(c.tr("monitor.pillar", n=pillar))
        for a in (x for x in asks if x["pillar"] == pillar):
            title = a["title_en"] if lang == "en" else a["title_nl"]
            with st.expander(f"{a['pillar']}.{a['number']} {title} — {status(a['status'])}"):
                st.markdown(c.md(a["summary_en"] if lang == "en" else a["text_nl"]))
                st.caption(f"{c.tr('monitor.partners')}: "
                           + ", ".join(c.md(p) for p in a["partners"]))
                if a["concerns"]:
                    st.caption(f"{c.tr('monitor.concerns')}: " + ", ".join(
                        c.md(x.get("name") or x.get("id")) for x in a["concerns"]))
                if a["log"]:
                    st.dataframe(pd.DataFrame([{"at": e.get("at"), c.tr("monitor.status"):
                                                status(e.get("status")),
                                                c.tr("monitor.note"): e.get("note")}
                                               for e in a["log"]]), hide_index=True)
                if may_edit:
                    with st.container(key=f"askbox_{a['id']}"), st.form(f"ask_{a['id']}"):
                        new = st.radio(c.tr("monitor.status"), ASK_STATUSES,
                                       index=ASK_STATUSES.index(a["status"]),
                                       format_func=status, horizontal=True)
                        note = st.text_input(c.tr("monitor.note"))
                        if st.form_submit_button(c.tr("monitor.save_status")):
                            if c.call(c.client().set_agenda_status, a["id"], new,
                                      note) is not None:
                                st.success(c.tr("monitor.saved"))
                                st.rerun()


def intros_tab() -> None:
    try:
        intros = c.client().introductions()
    except ApiError as e:
        c.show_error(e)
        return
    if not intros:
        st.info(c.tr("monitor.no_intros"))
        return
    with st.container(key="intro_list"):
        for i in intros:
            extra = " · ".join(c.md(x) for x in (i.get("defence_unit"), i.get("note")) if x)
            st.markdown(f"- **{c.md(i.get('supply_name') or i['supply_key'])}** — "
                        f"{status(i['status'])} ({(i.get('updated_at') or '')[:10]})"
                        + (f" · {extra}" if extra else ""))
    names = {i["id"]: f"{i.get('supply_name') or i['supply_key']} "
                      f"({(i.get('created_at') or '')[:10]})" for i in intros}
    pick = st.selectbox(c.tr("monitor.pick_intro"), list(names), format_func=c.fmt(names),
                        key="intro_pick")
    chosen = next(i for i in intros if i["id"] == pick)
    steps = NEXT.get(chosen["status"])
    if not steps:
        st.caption(c.tr("monitor.final"))
        return
    with st.form("intro_step"):
        step = st.selectbox(c.tr("monitor.next_step"), steps, format_func=status)
        note = st.text_input(c.tr("monitor.note"))
        if st.form_submit_button(c.tr("monitor.advance")):
            if c.call(c.client().advance_introduction, pick, step, note) is not None:
                st.success(c.tr("monitor.saved"))
                st.rerun()


def render() -> None:
    c.page_header("page.monitor", "monitor.intro")
    cl = c.client()
    try:
        k, g, asks = cl.kpis(), cl.gaps(), cl.agenda()
    except ApiError as e:
        c.show_error(e)
        return
    keys = ["monitor.tab_kpis", "monitor.tab_gaps", "monitor.tab_agenda"]
    if c.role() in INTRODUCERS:
        keys.append("monitor.tab_intros")
    tabs = st.tabs([c.tr(x) for x in keys])
    with tabs[0]:
        kpis_tab(k)
    with tabs[1]:
        gaps_tab(g)
    with tabs[2]:
        agenda_tab(asks)
    if len(tabs) > 3:
        with tabs[3]:
            intros_tab()
