"""Clusters, NLD areas and the capability taxonomy: what scouts browse."""

from __future__ import annotations

import logging
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Path

from app.api.deps import DriverDep, Reader
from app.api.models import (
    CapabilityNode,
    ClusterListed,
    ClusterPublic,
    NLDAreaPublic,
    NLDAreaRef,
    Page,
    Taxonomy,
)
from app.api.pages import Limit, Offset, page
from core.errors import NotFoundError
from graph.repositories.directory import DirectoryRepository
from ontology.taxonomy import Concept, load_taxonomy

log = logging.getLogger(__name__)

router = APIRouter()

ClusterId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$")]


@router.get("/clusters", response_model=Page[ClusterListed], tags=["clusters"])
def list_clusters(driver: DriverDep, _user: Reader, limit: Limit = 50, offset: Offset = 0) -> Any:
    return page(DirectoryRepository(driver).clusters_page(limit, offset), limit, offset)


@router.get("/clusters/{cluster_id}", response_model=ClusterPublic, tags=["clusters"])
def get_cluster(cluster_id: ClusterId, driver: DriverDep, _user: Reader) -> Any:
    """A cluster with its member companies, ecosystems, NLD areas and capabilities."""
    r = DirectoryRepository(driver).cluster(cluster_id)
    if r is None:
        raise NotFoundError(f"No cluster with id {cluster_id!r}.")
    return {**r["cluster"], "members": r["members"], "ecosystems": r["ecosystems"],
            "nld_areas": r["nld_areas"], "capabilities": r["capabilities"]}


@router.get("/nld-areas", response_model=list[NLDAreaPublic], tags=["clusters"])
def list_nld_areas(driver: DriverDep, _user: Reader) -> Any:
    """The five NLD technology areas with how many capabilities, clusters and companies
    serve each."""
    return DirectoryRepository(driver).nld_areas()


def _node(c: Concept, children: dict[str, list[Concept]],
          above: frozenset[str] = frozenset()) -> CapabilityNode:
    inside = above | {c.id}  # guards against a broader-cycle in a hand-edited ontology
    return CapabilityNode(
        id=c.id, label_nl=c.label("nl"), label_en=c.label("en"),
        alt_nl=list(c.alt_labels.get("nl", [])), alt_en=list(c.alt_labels.get("en", [])),
        definition_nl=c.definition.get("nl"), definition_en=c.definition.get("en"),
        nld_areas=list(c.nld_areas),
        narrower=[_node(n, children, inside) for n in children.get(c.id, [])
                  if n.id not in inside])


@cache
def capability_tree() -> Taxonomy:
    """Built once per process from the ontology files (they do not change while running)."""
    tax = load_taxonomy()
    children: dict[str, list[Concept]] = {}
    for c in sorted(tax.capabilities.values(), key=lambda c: c.id):
        for b in c.broader:
            children.setdefault(b, []).append(c)
    return Taxonomy(
        version=tax.version,
        capabilities=[_node(c, children) for c in sorted(tax.top_capabilities,
                                                          key=lambda c: c.id)],
        nld_areas=[NLDAreaRef(id=a.id, name_nl=a.label("nl"), name_en=a.label("en"))
                   for a in sorted(tax.nld_areas.values(), key=lambda a: a.id)])


@router.get("/taxonomy/capabilities", response_model=Taxonomy, tags=["taxonomy"])
def get_capabilities(_user: Reader) -> Any:
    """The capability scheme as a tree, labels in Dutch and English."""
    return capability_tree()
