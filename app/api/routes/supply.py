"""Supply beyond companies, for browsing: find any public node by name (the explorer starts
from ASTRON, the Veiligheidscampus or a site, not only a cluster) and list sites, facilities,
institutions and programmes with their attributes (the map's sites)."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from app.api.deps import DriverDep, Reader
from app.services import supply as service

log = logging.getLogger(__name__)

router = APIRouter(tags=["explorer"])

SearchText = Annotated[str, Query(min_length=2, max_length=100,
                                  description="Part of a node's name (any case)")]


class FoundNode(BaseModel):
    id: str = Field(max_length=200)
    label: str = Field(max_length=100)
    kind: str | None = Field(default=None, max_length=20,
                             description="The supply kind (company, site, ...), if supply")
    name: str | None = Field(default=None, max_length=500)


class SupplyItem(BaseModel):
    kind: str
    id: str
    name: str | None = None
    municipality: str | None = None
    municipality_name: str | None = None
    description: str | None = None
    description_en: str | None = None
    source: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)


@router.get("/graph/search", response_model=list[FoundNode])
def search_nodes(q: SearchText, driver: DriverDep, _user: Reader,
                 limit: Annotated[int, Query(ge=1, le=50)] = 20) -> Any:
    """Public nodes (companies, sites, programmes, clusters, institutions...) whose name holds
    `q`: the explorer's start."""
    return service.find_nodes(driver, q, limit)


@router.get("/supply", response_model=list[SupplyItem])
def list_supply(driver: DriverDep, _user: Reader,
                kind: Annotated[list[str] | None, Query(
                    max_length=5, description="company, site, facility, institution, "
                    "programme (repeatable); default: every kind but company")] = None,
                limit: Annotated[int, Query(ge=1, le=1000)] = 500) -> Any:
    """Supply nodes of the given kinds with their attributes (area, access, co-use, level,
    provider, status, coordinates). An unknown kind is a 422 naming the valid ones."""
    return service.list_supply(driver, kind, limit)
