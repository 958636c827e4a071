"""The explorer's view: the nodes and edges around one node, breadth first and capped."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from app.api.deps import DriverDep, Reader
from app.api.models import GraphEdge, GraphNode, Neighbourhood
from app.services.profiles import Viewer
from core.errors import NotFoundError
from graph.repositories.directory import DirectoryRepository

log = logging.getLogger(__name__)

router = APIRouter(prefix="/graph", tags=["explorer"])

MAX_NODES = 200
# Only these labels are shown; users, demand questions, audit events etc. never are.
PUBLIC_LABELS = ("Company", "Site", "Facility", "Programme", "Cluster", "Ecosystem",
                 "KnowledgeInstitution", "MilitaryFacility", "Municipality", "Organisation",
                 "NLDArea", "Capability")
# A company's edges that stand for a profile field: gone when the field is kept from the caller.
REL_FIELDS = {"LOCATED_IN": "municipality", "HAS_CAPABILITY": "capabilities"}
NodeKey = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,119}$",
                              description="A node's id, or a company's KvK number")]


def _label(labels: list[str]) -> str:
    return next((x for x in PUBLIC_LABELS if x in labels), labels[0] if labels else "")


@router.get("/neighbourhood/{node_id}", response_model=Neighbourhood)
def neighbourhood(node_id: NodeKey, driver: DriverDep, user: Reader,
                  depth: Annotated[int, Query(ge=1, le=2)] = 1,
                  limit: Annotated[int, Query(ge=1, le=MAX_NODES)] = MAX_NODES) -> Any:
    """Ring by ring so the nearest nodes are kept when the cap cuts; ids in the answer are
    the nodes' keys (KvK number for companies), never internal element ids."""
    directory = DirectoryRepository(driver)
    start = directory.find_node(node_id)
    if start is None:
        raise NotFoundError(f"No node with id {node_id!r}.")
    keys: dict[str, str] = {start["eid"]: start["id"]}
    nodes = [GraphNode(id=start["id"], label=_label(start["labels"]), name=start["name"],
                       depth=0)]
    edges: dict[tuple[str, str, str], GraphEdge] = {}
    truncated = False
    frontier = [start["eid"]]
    for ring in range(1, depth + 1):
        room = limit - len(nodes)
        if room <= 0 or not frontier:
            truncated = truncated or bool(frontier)
            break
        # Over-fetch edges: several can lead to one node, and edges to known nodes count too.
        cap = min(room * 4 + 50, 5000)
        found = directory.neighbours(frontier, list(PUBLIC_LABELS), cap,
                                     rel_fields=REL_FIELDS, viewer=Viewer.of(user).params())
        truncated = truncated or len(found) >= cap
        nxt: list[str] = []
        for r in found:
            if r["eid"] not in keys:
                if len(nodes) >= limit:
                    truncated = True
                    continue
                keys[r["eid"]] = r["id"]
                nodes.append(GraphNode(id=r["id"], label=_label(r["labels"]), name=r["name"],
                                       depth=ring))
                nxt.append(r["eid"])
            if r["source"] in keys and r["target"] in keys:
                e = GraphEdge(source=keys[r["source"]], target=keys[r["target"]],
                              type=r["type"])
                edges[(e.source, e.target, e.type)] = e
        frontier = nxt
    return Neighbourhood(center=start["id"], depth=depth, nodes=nodes,
                         edges=list(edges.values()), truncated=truncated)
