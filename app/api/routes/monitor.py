"""`/gaps` and `/kpis` (issue 21): aggregates for bizdev, scouts, admins and the policy role.
Nothing here names a person or shows the words of a demand question. `/kpis?format=csv`
is the export."""

from __future__ import annotations

import csv
import io
import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from app.api.deps import DriverDep, SettingsDep, require_roles
from app.api.models import Instant
from app.api.monitor_models import GapsPublic, KpisPublic
from app.api.problems import ApiProblem
from app.services import gaps as gaps_service
from app.services import kpis as kpis_service
from app.services.users import UserPublic
from graph.repositories.kpis import KpiRepository

log = logging.getLogger(__name__)

router = APIRouter(tags=["monitor"])

MONITOR_READERS = ("bizdev", "scout", "admin", "policy")
MonitorReader = Annotated[UserPublic, Depends(require_roles(*MONITOR_READERS))]


@router.get("/gaps", response_model=GapsPublic)
def gaps(
    user: MonitorReader, driver: DriverDep, settings: SettingsDep,
    since: Annotated[Instant | None, Query(description="Questions from this time on")] = None,
    until: Annotated[Instant | None, Query(description="Questions before this time")] = None,
    min_good: Annotated[int | None, Query(ge=1, le=100, description="N: a question with "
                                          "fewer good matches is a gap (default: setting)")]
    = None,
) -> Any:
    """Demand the region cannot serve well, by NLD area, capability, acquisition sector and
    month."""
    if since and until and since > until:
        raise ApiProblem(422, "'since' must not be after 'until'.", type_="validation")
    rows = KpiRepository(driver).demand_quality(since.isoformat() if since else None,
                                                until.isoformat() if until else None)
    m = settings.monitor
    return gaps_service.gaps(rows, m.good_match_cosine, min_good or m.min_good_matches)


@router.get("/kpis", response_model=KpisPublic,
            responses={200: {"content": {"text/csv": {}}}})
def kpis(user: MonitorReader, driver: DriverDep, settings: SettingsDep,
         format: Annotated[Literal["json", "csv"], Query()] = "json") -> Any:
    """The agenda's KPIs; `format=csv` gives one row per figure."""
    k = kpis_service.kpis(KpiRepository(driver), settings.monitor)
    if format == "json":
        return k
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["section", "group", "month", "metric", "value"])
    w.writeheader()
    w.writerows(kpis_service.rows_for_csv(k))
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="paraat-kpis.csv"'})
