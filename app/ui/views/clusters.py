"""Clusters verkennen: the network of clusters, ecosystems, knowledge institutions and
companies (click or pick a node to expand it), the NLD-area × cluster heatmap, a map of
Drenthe that needs no tile server, and cluster detail."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app.ui import common as c
from app.ui import supply
from app.ui.client import ApiError
from app.ui.places import places
from app.ui.views import network

VIEWS = ("network", "matrix", "map", "detail")
AREA_COLOURS = {
    "intelligente-systemen": "#1f77b4", "sensoren": "#2ca02c",
    "slimme-materialen": "#ff7f0e", "ruimtevaarttechnologie": "#9467bd",
    "quantumtechnologie": "#d62728", "": "#9e9e9e",
}


def _clusters() -> list[dict[str, Any]]:
    return c.cached("clusters", lambda: c.client().clusters())


def _areas() -> dict[str, str]:
    rows = c.cached("nld_areas", lambda: c.client().nld_areas())
    return {str(a["id"]): c.label(a, "name") for a in rows}


def type_names() -> dict[str, str]:
    return {k: c.tr(f"node.{k}") for k in network.COLOURS}


# --------------------------------------------------------------------------- network


def _load(node_id: str, depth: int, reset: bool) -> None:
    part = c.call(c.client().neighbourhood, node_id, depth, what=c.tr("explore.network"))
    if part is None:
        return
    base = {} if reset else st.session_state.get("net_graph") or {}
    st.session_state["net_graph"] = network.merge(base, part)


def start_options(clusters: list[dict[str, Any]], found: list[dict[str, Any]] | None
                  ) -> dict[str, str]:
    """What the explorer can start from: the nodes a search found (any kind: ASTRON, the
    Veiligheidscampus, a site), else the clusters."""
    if found:
        tn = type_names()
        return {str(n["id"]): f"{n.get('name') or n['id']} ({tn.get(str(n.get('label')), '')})"
                for n in found}
    return {str(k["id"]): str(k.get("name") or k["id"]) for k in clusters}


def network_view(clusters: list[dict[str, Any]]) -> None:
    text = st.text_input(c.tr("explore.find"), key="net_find",
                         placeholder=c.tr("explore.find_hint")).strip()
    found = c.call(c.client().search_nodes, text, what=c.tr("explore.find")) \
        if len(text) >= 2 else None
    if text and not found:
        st.caption(c.tr("explore.find_none"))
    names = start_options(clusters, found)
    if not names:
        st.info(c.tr("explore.no_clusters"))
        return
    col1, col2, col3 = st.columns([3, 1, 1])
    start = col1.selectbox(c.tr("explore.start"), list(names), format_func=c.fmt(names),
                           key="net_start")
    depth = col2.radio(c.tr("explore.depth"), [1, 2], horizontal=True, key="net_depth")
    col3.write("")
    if col3.button(c.tr("explore.show"), key="net_show") or "net_graph" not in st.session_state \
            or st.session_state.get("net_start_loaded") != (start, depth):
        st.session_state["net_start_loaded"] = (start, depth)
        _load(str(start), int(depth), reset=True)
    graph = st.session_state.get("net_graph") or {}
    nodes: dict[str, dict[str, Any]] = graph.get("nodes") or {}
    if not nodes:
        st.info(c.tr("explore.empty_graph"))
        return
    tn = type_names()
    event = st.plotly_chart(network.figure(graph, tn), on_select="rerun",
                            selection_mode="points", key="net_chart",
                            config={"displaylogo": False})
    clicked = _clicked(event)
    if clicked and clicked not in (graph.get("expanded") or []) and clicked in nodes:
        _load(clicked, 1, reset=False)
        st.rerun()
    opened = [str(nodes[k]["name"]) for k in graph.get("expanded") or [] if k in nodes]
    st.caption(c.tr("explore.click_hint", n=len(nodes), e=len(graph.get("edges") or []))
               + " " + c.tr("explore.expanded", names=", ".join(c.md(x) for x in opened)))
    if graph.get("truncated"):
        st.caption(c.tr("explore.truncated"))
    open_nodes = [k for k in sorted(nodes, key=lambda k: str(nodes[k]["name"]).lower())
                  if k not in (graph.get("expanded") or [])]
    ecol1, ecol2 = st.columns([4, 1])
    pick = ecol1.selectbox(
        c.tr("explore.expand"), open_nodes, key="net_expand", index=None,
        placeholder=c.tr("explore.expand_hint"),
        format_func=lambda k: f"{nodes[k]['name']} ({tn.get(nodes[k]['label'], '')})")
    ecol2.write("")
    if ecol2.button(c.tr("explore.expand_button"), key="net_expand_go") and pick is not None:
        _load(str(pick), 1, reset=False)
        st.rerun()
    with st.expander(c.tr("explore.node_list")):
        st.dataframe(pd.DataFrame([{c.tr("col.name"): n["name"],
                                    c.tr("col.type"): tn.get(n["label"], n["label"]),
                                    "id": n["id"]} for n in nodes.values()]),
                     hide_index=True)


def _clicked(event: Any) -> str | None:
    try:
        points = event.selection.points
    except AttributeError:
        try:
            points = event["selection"]["points"]
        except (KeyError, TypeError):
            return None
    for p in points or []:
        cd = p.get("customdata") if isinstance(p, dict) else None
        if isinstance(cd, list):
            cd = cd[0] if cd else None
        if cd:
            return str(cd)
    return None


# --------------------------------------------------------------------------- matrix


def matrix_frame(clusters: list[dict[str, Any]], areas: dict[str, str]) -> pd.DataFrame:
    """Rows NLD areas, columns clusters; a cell is the cluster's member count (companies and
    ecosystems) when the cluster serves that area, empty (NaN) when it does not."""
    cols = {str(k.get("name") or k["id"]): k for k in clusters}
    data = {name: [float(int(k.get("members") or 0) + int(k.get("ecosystems") or 0))
                   if a in (k.get("nld_areas") or []) else float("nan") for a in areas]
            for name, k in cols.items()}
    return pd.DataFrame(data, index=list(areas.values()))


def matrix_view(clusters: list[dict[str, Any]]) -> None:
    areas = _areas()
    if not clusters or not areas:
        st.info(c.tr("explore.no_clusters"))
        return
    df = matrix_frame(clusters, areas)
    text = [["" if v != v else f"✓ {int(v)}" for v in row] for row in df.values]
    fig = go.Figure(go.Heatmap(z=df.values, x=list(df.columns), y=list(df.index),
                               colorscale="Blues", text=text, texttemplate="%{text}",
                               hoverongaps=False, zmin=0,
                               hovertemplate="%{y} × %{x}: %{z}<extra></extra>"))
    fig.update_layout(height=380, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      xaxis={"tickangle": -30})
    st.plotly_chart(fig, key="matrix_chart")
    st.caption(c.tr("explore.matrix_hint"))


# --------------------------------------------------------------------------- map


def company_areas(clusters: list[dict[str, Any]]) -> pd.DataFrame:
    """Per municipality and NLD area, how many companies (via their capabilities' and
    clusters' NLD areas), from each municipality's 2-step neighbourhood."""
    cap_areas: dict[str, list[str]] = {}
    try:
        tax = c.cached("taxonomy", lambda: c.client().taxonomy(), ttl=3600)
        for cap in c.flatten_capabilities(list(tax.get("capabilities") or [])):
            cap_areas[str(cap["id"])] = list(cap.get("nld_areas") or [])
    except ApiError:
        pass
    cl_areas = {str(k["id"]): list(k.get("nld_areas") or []) for k in clusters}
    rows = []
    munis = places()
    munis = munis[(munis["kind"] == "municipality") & (munis["province"] == "Drenthe")]
    cl = c.client()
    for m in munis.itertuples():
        try:
            part = cl.neighbourhood(str(m.id), depth=2, limit=200)
        except ApiError as e:
            if e.kind in ("not_found", "not_available"):
                continue
            raise
        labels = {n["id"]: n.get("label") for n in part.get("nodes") or []}
        comps = [k for k, v in labels.items() if v == "Company"]
        found: dict[str, set[str]] = {k: set() for k in comps}
        for edge in part.get("edges") or []:
            s, t = str(edge["source"]), str(edge["target"])
            if s in found:
                found[s].update(cap_areas.get(t, []) if labels.get(t) == "Capability"
                                else cl_areas.get(t, []) if labels.get(t) == "Cluster" else [])
        for kvk, areas in found.items():
            for a in sorted(areas) or [""]:
                rows.append({"municipality": m.id, "name": m.name, "lat": m.lat, "lon": m.lon,
                             "area": a, "kvk": kvk, "truncated": part.get("truncated")})
    if not rows:
        return pd.DataFrame(columns=["municipality", "name", "lat", "lon", "area", "count",
                                     "truncated"])
    df = pd.DataFrame(rows)
    return (df.groupby(["municipality", "name", "lat", "lon", "area"], as_index=False)
            .agg(count=("kvk", "nunique"), truncated=("truncated", "max")))


def map_figure(counts: pd.DataFrame, areas: dict[str, str], basemap: bool) -> go.Figure:
    p = places()
    fig = go.Figure()
    area_keys = sorted(set(counts["area"])) if not counts.empty else []
    # Spread the areas of one municipality on a small circle so colours do not overlap.
    offsets = {a: (0.035 * math.cos(2 * math.pi * i / max(1, len(area_keys))),
                   0.022 * math.sin(2 * math.pi * i / max(1, len(area_keys))))
               for i, a in enumerate(area_keys)}
    layers: list[dict[str, Any]] = []
    for a in area_keys:
        sub = counts[counts["area"] == a]
        layers.append({
            "name": areas.get(a) or c.tr("explore.no_area"),
            "lon": [x + offsets[a][0] for x in sub["lon"]],
            "lat": [y + offsets[a][1] for y in sub["lat"]],
            "text": [f"{n}: {k} ({areas.get(a) or c.tr('explore.no_area')})"
                     for n, k in zip(sub["name"], sub["count"], strict=True)],
            "marker": {"size": [8 + 6 * math.sqrt(k) for k in sub["count"]],
                       "color": AREA_COLOURS.get(a, "#333333"), "opacity": 0.8}})
    symbols = {"ecosystem": ("diamond", "#8c564b"), "institution": ("square", "#17becf"),
               "military": ("triangle-up", "#2f4f2f"), "municipality": ("circle-open", "#999")}
    for kind, (symbol, colour) in symbols.items():
        sub = p[p["kind"] == kind]
        if sub.empty:
            continue
        layers.append({"name": c.tr(f"place.{kind}"), "lon": list(sub["lon"]),
                       "lat": list(sub["lat"]), "text": [str(x) for x in sub["name"]],
                       "marker": {"size": 9 if kind != "municipality" else 6,
                                  "color": colour, "symbol": symbol},
                       "mode": "markers+text" if kind == "municipality" else "markers"})
    for layer in layers:
        mode = layer.pop("mode", "markers")
        if basemap:
            marker = {k: v for k, v in layer.pop("marker").items() if k != "symbol"}
            fig.add_trace(go.Scattermap(mode=mode, hoverinfo="text", marker=marker,
                                        textposition="bottom center", **layer))
        else:
            fig.add_trace(go.Scatter(x=layer.pop("lon"), y=layer.pop("lat"), mode=mode,
                                     hoverinfo="text", textposition="bottom center",
                                     textfont={"size": 9, "color": "#777"}, **layer))
    if basemap:
        fig.update_layout(map={"style": "open-street-map", "zoom": 7.6,
                               "center": {"lat": 52.87, "lon": 6.6}})
    else:
        fig.update_layout(xaxis={"visible": False, "range": [5.7, 7.15]},
                          yaxis={"visible": False, "scaleanchor": "x", "scaleratio": 1.65,
                                 "range": [52.55, 53.3]}, plot_bgcolor="#f4f6f0")
    fig.update_layout(height=620, margin={"l": 0, "r": 0, "t": 10, "b": 0},
                      legend={"orientation": "h"})
    return fig


def site_frame(sites: list[dict[str, Any]]) -> pd.DataFrame:
    """Sites with coordinates (their own, else their municipality's main town) and the
    attributes the map's hover and table show."""
    p = places()
    towns: dict[str, tuple[Any, Any]] = {str(r.id): (r.lat, r.lon) for r in p.itertuples()}
    rows = []
    for site in sites:
        a = site.get("attributes") or {}
        lat, lon = a.get("lat"), a.get("lon")
        if lat is None or lon is None:
            lat, lon = towns.get(str(site.get("municipality")), (None, None))
        details = supply.attribute_lines("site", a)
        rows.append({"id": site.get("id"), "name": site.get("name") or site.get("id"),
                     "lat": lat, "lon": lon,
                     "municipality": site.get("municipality_name") or site.get("municipality"),
                     **{k: v for k, v in details}})
    return pd.DataFrame(rows)


def map_view(clusters: list[dict[str, Any]]) -> None:
    areas = _areas()
    counts = c.cached("map_counts", lambda: company_areas(clusters), ttl=300)
    try:
        sites = site_frame(c.cached("map_sites", lambda: c.client().supply(["site"]), ttl=300))
    except ApiError as e:  # the map still shows the companies
        c.show_error(e, what=c.tr("explore.sites"))
        sites = pd.DataFrame()
    basemap = st.toggle(c.tr("explore.basemap"), value=False, key="basemap")
    fig = map_figure(counts, areas, basemap)
    add_sites(fig, sites, basemap)
    st.plotly_chart(fig, key="map_chart")
    st.markdown(f"**{c.tr('explore.sites')}**")
    if sites.empty:
        st.caption(c.tr("explore.sites_none"))
    else:
        st.dataframe(sites.drop(columns=["id", "lat", "lon"]).rename(
            columns={"name": c.tr("col.name"), "municipality": c.tr("search.municipality")}),
            hide_index=True)
    if counts.empty:
        st.info(c.tr("explore.map_no_companies"))
    elif bool(counts["truncated"].any()):
        st.caption(c.tr("explore.map_sampled"))
    st.caption(c.tr("explore.map_source"))


def add_sites(fig: go.Figure, sites: pd.DataFrame, basemap: bool) -> None:
    """The sites as one layer; hovering one shows its area, access and co-use."""
    if sites.empty:
        return
    placed = sites.dropna(subset=["lat", "lon"])
    if placed.empty:
        return
    skip = {"id", "name", "lat", "lon"}
    text = ["<br>".join([f"<b>{r['name']}</b>"] + [f"{k}: {r[k]}" for k in placed.columns
                                                   if k not in skip and r[k] == r[k] and r[k]])
            for _, r in placed.iterrows()]
    layer: dict[str, Any] = {"name": c.tr("place.site"), "lon": list(placed["lon"]),
                             "lat": list(placed["lat"]), "text": text, "hoverinfo": "text"}
    if basemap:
        fig.add_trace(go.Scattermap(mode="markers", marker={"size": 14, "color": "#e6550d"},
                                    **layer))
    else:
        fig.add_trace(go.Scatter(x=layer.pop("lon"), y=layer.pop("lat"), mode="markers",
                                 marker={"size": 14, "color": "#e6550d", "symbol": "star"},
                                 **layer))


# --------------------------------------------------------------------------- detail


def detail_view(clusters: list[dict[str, Any]]) -> None:
    if not clusters:
        st.info(c.tr("explore.no_clusters"))
        return
    names = {str(k["id"]): str(k.get("name") or k["id"]) for k in clusters}
    cid = st.selectbox(c.tr("explore.cluster"), list(names), format_func=c.fmt(names),
                       key="detail_cluster")
    d = c.call(c.client().cluster, cid, what=c.tr("explore.cluster"))
    if not d:
        return
    st.subheader(d.get("name") or cid)
    st.caption(c.tr(f"kind.{d.get('kind')}") if d.get("kind") in ("cluster", "ecosystem")
               else str(d.get("kind") or ""))
    desc = d.get(f"description_{c.lang()}") or d.get("description_nl") or ""
    if desc:
        st.markdown(c.md(desc))
    col1, col2 = st.columns(2)
    col1.markdown(f"**{c.tr('explore.nld_areas')}**")
    for a in d.get("nld_areas") or []:
        col1.markdown("- " + c.md(c.label(a, "name")))
    col2.markdown(f"**{c.tr('explore.capabilities')}**")
    for cap in d.get("capabilities") or []:
        col2.markdown("- " + c.md(c.label(cap)))
    st.markdown(f"**{c.tr('explore.members')}** ({len(d.get('members') or [])})")
    members = d.get("members") or []
    if members:
        st.dataframe(pd.DataFrame(members).rename(columns={
            "kvk_number": "KvK", "name": c.tr("col.name")}), hide_index=True)
    eco = d.get("ecosystems") or []
    if eco:
        st.markdown(f"**{c.tr('explore.ecosystems')}**: "
                    + ", ".join(c.md(e.get("name") or e["id"]) for e in eco))
    if d.get("source"):
        st.caption(c.tr("explore.source") + ": " + c.md(d["source"]))


def render() -> None:
    c.page_header("page.clusters", "explore.intro")
    view = st.radio(c.tr("explore.view"), VIEWS, horizontal=True, key="explore_view",
                    format_func=lambda v: c.tr(f"explore.{v}"), label_visibility="collapsed")
    try:
        clusters = _clusters()
    except ApiError as e:
        c.show_error(e)
        return
    try:
        {"network": network_view, "matrix": matrix_view, "map": map_view,
         "detail": detail_view}[view](clusters)
    except ApiError as e:
        c.show_error(e)
