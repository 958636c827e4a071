"""Vraagpatronen: the demand questions asked over time, by NLD area and by concept."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.express as px
import streamlit as st

from app.ui import common as c
from app.ui.client import ApiError


def _ids(values: Any) -> list[str]:
    out = []
    for v in values or []:
        if isinstance(v, dict):
            out.append(str(v.get("id") or v.get("label") or ""))
        elif v:
            out.append(str(v))
    return [x for x in out if x]


def frames(questions: list[dict[str, Any]]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(one row per question, question × NLD area, question × concept)."""
    base, by_area, by_concept = [], [], []
    for q in questions:
        raw = q.get("asked_at") or q.get("created_at") or q.get("at")
        when = pd.to_datetime(str(raw), errors="coerce", utc=True) if raw else pd.NaT
        if pd.isna(when):
            continue
        week = when.tz_convert(None).to_period("W").start_time
        base.append({"week": week, "lang": q.get("language") or q.get("lang") or "?",
                     "question": q.get("text") or q.get("question") or ""})
        for a in _ids(q.get("nld_areas")) or [""]:
            by_area.append({"week": week, "area": a})
        for k in _ids(q.get("concepts")):
            by_concept.append({"week": week, "concept": k})
    return (pd.DataFrame(base, columns=["week", "lang", "question"]),
            pd.DataFrame(by_area, columns=["week", "area"]),
            pd.DataFrame(by_concept, columns=["week", "concept"]))


def render() -> None:
    c.page_header("page.patterns", "patterns.intro")
    try:
        questions = c.client().demand_questions()
    except ApiError as e:
        c.show_error(e)
        return
    base, by_area, by_concept = frames(questions)
    if base.empty:
        st.info(c.tr("patterns.empty"))
        return
    areas: dict[str, str] = {}
    caps: dict[str, str] = {}
    try:
        areas = {str(a["id"]): c.label(a, "name")
                 for a in c.cached("nld_areas", lambda: c.client().nld_areas())}
        caps = c.capability_options()
    except ApiError:
        pass
    col1, col2, col3 = st.columns(3)
    col1.metric(c.tr("patterns.total"), len(base))
    col2.metric(c.tr("patterns.weeks"), base["week"].nunique())
    col3.metric(c.tr("patterns.english"), int((base["lang"] == "en").sum()))
    by_area["area"] = by_area["area"].map(lambda a: areas.get(a, a) or c.tr("explore.no_area"))
    area_counts = by_area.groupby(["week", "area"], as_index=False).size()
    st.subheader(c.tr("patterns.by_area"))
    fig = px.bar(area_counts, x="week", y="size", color="area",
                 labels={"week": c.tr("patterns.week"), "size": c.tr("patterns.count"),
                         "area": c.tr("explore.nld_areas")})
    st.plotly_chart(fig, key="area_chart")
    st.subheader(c.tr("patterns.by_concept"))
    if by_concept.empty:
        st.caption(c.tr("patterns.no_concepts"))
    else:
        by_concept["concept"] = by_concept["concept"].map(lambda k: caps.get(k, k))
        top = by_concept["concept"].value_counts().head(15).rename_axis("concept") \
            .reset_index(name="size")
        fig2 = px.bar(top, x="size", y="concept", orientation="h",
                      labels={"size": c.tr("patterns.count"),
                              "concept": c.tr("patterns.concept")})
        fig2.update_layout(yaxis={"autorange": "reversed"})
        st.plotly_chart(fig2, key="concept_chart")
        trend = by_concept[by_concept["concept"].isin(set(top["concept"].head(5)))] \
            .groupby(["week", "concept"], as_index=False).size()
        st.plotly_chart(px.line(trend, x="week", y="size", color="concept", markers=True,
                                labels={"week": c.tr("patterns.week"),
                                        "size": c.tr("patterns.count")}), key="trend_chart")
    with st.expander(c.tr("patterns.list")):
        st.dataframe(base.sort_values("week", ascending=False), hide_index=True)
