"""The network view's pieces: merging neighbourhoods, a small deterministic force layout
(numpy; no extra dependency) and the plotly figure (offline: Streamlit bundles plotly.js)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import plotly.graph_objects as go

COLOURS = {
    "Cluster": "#d62728", "Ecosystem": "#ff7f0e", "KnowledgeInstitution": "#2ca02c",
    "Company": "#1f77b4", "MilitaryFacility": "#7f7f7f", "Municipality": "#bcbd22",
    "Organisation": "#9467bd", "NLDArea": "#e377c2", "Capability": "#17becf",
    "Site": "#e6550d", "Facility": "#8c6d31", "Programme": "#756bb1",
}
SIZES = {"Cluster": 22, "Ecosystem": 18, "NLDArea": 18, "KnowledgeInstitution": 16}


def merge(graph: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    """Add a neighbourhood answer (`nodes`, `edges`) to the accumulated graph."""
    nodes: dict[str, dict[str, Any]] = dict(graph.get("nodes") or {})
    for n in part.get("nodes") or []:
        nodes.setdefault(str(n["id"]), {"id": str(n["id"]), "label": n.get("label", ""),
                                         "name": n.get("name") or n["id"]})
    edges = {(e["source"], e["target"], e["type"]) for e in graph.get("edges") or []}
    for e in part.get("edges") or []:
        if str(e["source"]) in nodes and str(e["target"]) in nodes:
            edges.add((str(e["source"]), str(e["target"]), str(e.get("type", ""))))
    return {"nodes": nodes,
            "edges": [{"source": s, "target": t, "type": y} for s, t, y in sorted(edges)],
            "expanded": sorted(set(graph.get("expanded") or [])
                               | ({part["center"]} if part.get("center") else set())),
            "truncated": bool(graph.get("truncated")) or bool(part.get("truncated"))}


def layout(ids: list[str], edges: list[tuple[str, str]], iterations: int = 150,
           seed: int = 7) -> dict[str, tuple[float, float]]:
    """Fruchterman-Reingold in numpy: O(n²) per step, fine for the API's 200-node cap."""
    n = len(ids)
    if n == 0:
        return {}
    if n == 1:
        return {ids[0]: (0.0, 0.0)}
    index = {k: i for i, k in enumerate(ids)}
    rng = np.random.default_rng(seed)
    pos = rng.uniform(-1, 1, (n, 2))
    k = 1.0 / math.sqrt(n)
    pairs = np.array([(index[a], index[b]) for a, b in edges if a in index and b in index]
                     or [(0, 0)], dtype=int)
    t = 0.2
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.linalg.norm(delta, axis=-1) + 1e-9
        force = (k * k / dist**2)[..., None] * delta  # repulsion
        disp = force.sum(axis=1)
        d = pos[pairs[:, 0]] - pos[pairs[:, 1]]
        dl = np.linalg.norm(d, axis=-1, keepdims=True) + 1e-9
        pull = d * dl / k
        np.add.at(disp, pairs[:, 0], -pull)
        np.add.at(disp, pairs[:, 1], pull)
        length = np.linalg.norm(disp, axis=-1, keepdims=True) + 1e-9
        pos += disp / length * np.minimum(length, t)
        t *= 0.97
    return {key: (float(pos[i, 0]), float(pos[i, 1])) for key, i in index.items()}


def figure(graph: dict[str, Any], type_names: dict[str, str]) -> go.Figure:
    nodes: dict[str, dict[str, Any]] = graph.get("nodes") or {}
    edges = [(e["source"], e["target"]) for e in graph.get("edges") or []]
    pos = layout(sorted(nodes), edges)
    fig = go.Figure()
    ex: list[float | None] = []
    ey: list[float | None] = []
    for a, b in edges:
        if a in pos and b in pos:
            ex += [pos[a][0], pos[b][0], None]
            ey += [pos[a][1], pos[b][1], None]
    fig.add_trace(go.Scatter(x=ex, y=ey, mode="lines", hoverinfo="skip", showlegend=False,
                             line={"width": 0.7, "color": "#bbbbbb"}))
    by_label: dict[str, list[dict[str, Any]]] = {}
    for n in nodes.values():
        by_label.setdefault(str(n.get("label") or ""), []).append(n)
    expanded = set(graph.get("expanded") or [])
    for lab, members in sorted(by_label.items()):
        big = lab in SIZES
        fig.add_trace(go.Scatter(
            x=[pos[m["id"]][0] for m in members], y=[pos[m["id"]][1] for m in members],
            mode="markers+text" if big or len(nodes) <= 40 else "markers",
            name=type_names.get(lab, lab),
            text=[str(m.get("name") or m["id"])[:28] for m in members],
            textposition="top center", textfont={"size": 10},
            customdata=[m["id"] for m in members],
            hovertext=[f"{m.get('name') or m['id']} ({type_names.get(lab, lab)})"
                       for m in members], hoverinfo="text",
            marker={"size": [SIZES.get(lab, 11) + (4 if m["id"] in expanded else 0)
                             for m in members], "color": COLOURS.get(lab, "#333333"),
                    "line": {"width": [2 if m["id"] in expanded else 0 for m in members],
                             "color": "#000000"}}))
    fig.update_layout(height=560, margin={"l": 0, "r": 0, "t": 10, "b": 0},
                      xaxis={"visible": False}, yaxis={"visible": False},
                      legend={"orientation": "h"}, clickmode="event+select",
                      plot_bgcolor="#ffffff", dragmode="pan")
    return fig
