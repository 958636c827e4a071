"""Companies: a filtered, paginated list and the full profile of one company."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from app.api.deps import DriverDep, Reader, SettingsDep
from app.api.models import (
    CompanyCapability,
    CompanyListed,
    CompanyPublic,
    CompliancePublic,
    NLDLink,
    Page,
    Provenance,
    Ref,
)
from app.api.pages import Limit, Offset, read_page
from app.api.routes.registrations import registrations_public
from app.services.profiles import Viewer, profile_extras, redact_rows
from core.errors import NotFoundError
from graph.queries import companies as companies_q
from graph.queries import registrations as registrations_q
from graph.repositories.profiles import ProfileRepository
from matching.filters import resolve_one
from ontology.profile import DefenceExperienceFilter
from ontology.taxonomy import load_taxonomy

log = logging.getLogger(__name__)

router = APIRouter(prefix="/companies", tags=["companies"])

Kvk = Annotated[str, Path(pattern=r"^\d{8}$", description="KvK number, 8 digits.")]
# An id ("de-wolden") or a name as users write it ("De Wolden", "Nachtzicht", "Súdwest-Fryslân")
FilterName = r"^[^\W_][\w .,'’()/&+-]{0,99}$"


@router.get("", response_model=Page[CompanyListed])
def list_companies(
    driver: DriverDep, _user: Reader,
    limit: Limit = 50, offset: Offset = 0,
    municipality: Annotated[str | None, Query(
        pattern=FilterName, description="Municipality id or name")] = None,
    capability: Annotated[str | None, Query(
        pattern=FilterName, description="Capability id or label (Dutch or English); narrower "
        "capabilities count too")] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=100,
                                   description="Part of the company name")] = None,
    defence_experience: Annotated[list[DefenceExperienceFilter] | None, Query(
        max_length=4, description="none, indirect, direct or unknown (none recorded); "
        "repeat for several")] = None,
) -> Any:
    """Companies by name, filtered inside the query so `total` counts every match. An unknown
    municipality or capability is a 422 naming close ones, not an empty page. Fields a
    company keeps from the caller are blank and filter on nothing."""
    taxonomy = load_taxonomy()
    params = {"municipality": resolve_one("municipalities", municipality, driver, taxonomy),
              "capability": resolve_one("capabilities", capability, driver, taxonomy),
              "q": q, "defence_experience": list(dict.fromkeys(defence_experience or [])) or None,
              "viewer": Viewer.of(_user).params()}
    repo = ProfileRepository(driver)
    return read_page(driver, companies_q.API_COUNT_COMPANIES, companies_q.API_LIST_COMPANIES,
                     params, limit, offset,
                     lambda rows: redact_rows(repo, _user, [dict(r) for r in rows]))


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def is_stale(last_verified: str | None, stale_days: int, now: datetime | None = None) -> bool:
    """Never verified, or verified longer ago than `stale_days`: the profile needs a check."""
    t = _parse_time(last_verified)
    if t is None:
        return True
    return (now or datetime.now(UTC)) - t > timedelta(days=stale_days)


@router.get("/{kvk}", response_model=CompanyPublic)
def get_company(kvk: Kvk, driver: DriverDep, settings: SettingsDep, user: Reader) -> Any:
    """One company's profile: declared vs. inferred capabilities, groups, NLD areas, where the
    data came from and whether it was verified. The company itself, admins and business
    developers also see its pending changes."""
    rows, _, _ = driver.execute_query(companies_q.API_COMPANY_PROFILE, kvk=kvk, routing_="r")
    if not rows:
        raise NotFoundError(f"No company with KvK number {kvk}.")
    r = rows[0]
    areas, _, _ = driver.execute_query(companies_q.API_NLD_AREA_NAMES, routing_="r")
    names = {a["id"]: (a["name_nl"], a["name_en"]) for a in areas}
    via: dict[str, list[str]] = {}
    for link in r["nld_links"]:
        via.setdefault(link["id"], []).append(f"{link['via']}:{link['through']}")
    caps = [CompanyCapability(**c) for c in r["capabilities"]]
    company = r["company"]
    out = CompanyPublic(
        kvk_number=company["kvk_number"], name=company["name"],
        kvk_status=company["kvk_status"], synthetic=bool(company["synthetic"]),
        website=company["website"], employees=company["employees"],
        description=company["description"], description_en=company["description_en"],
        activity=company["activity"], sbi_code=company["sbi_code"],
        municipality=Ref(**r["municipality"]) if r["municipality"] else None,
        declared_capabilities=[c for c in caps if c.source == "declared"],
        inferred_capabilities=[c for c in caps if c.source == "inferred"],
        clusters=[Ref(**c) for c in r["clusters"]],
        ecosystems=[Ref(**e) for e in r["ecosystems"]],
        nld_areas=[NLDLink(id=a, name_nl=names.get(a, (None, None))[0],
                           name_en=names.get(a, (None, None))[1], via=sorted(v))
                   for a, v in sorted(via.items())],
        provenance=Provenance(
            source=company["source"], imported_at=r["imported_at"],
            import_run=company["import_run"], file_hash=company["file_hash"],
            last_verified=r["last_verified"],
            stale=is_stale(r["last_verified"], settings.profile_stale_days),
            stale_after_days=settings.profile_stale_days),
        verified=r["last_verified"] is not None,
        compliance=CompliancePublic(**{k: company[k] for k in _COMPLIANCE})
        if any(company[k] is not None for k in _COMPLIANCE) else None,
        pending_changes=_pending(driver, kvk) if user is not None and (
            user.role in ("admin", "bizdev") or user.kvk_number == kvk) else None,
    )
    # Claims, defence experience and visibility, then every field the caller may not see
    # blanked (pending changes are shown only to the company itself, admins and bizdev).
    return profile_extras(ProfileRepository(driver), user, kvk, out.model_dump())


_COMPLIANCE = ("ncage_code", "iso9001", "aqap2110", "security_status", "export_control_notes")


def _pending(driver: DriverDep, kvk: str) -> list[Any]:
    rows, _, _ = driver.execute_query(registrations_q.PENDING_REGISTRATIONS_FOR, kvk=kvk,
                                      routing_="r")
    return registrations_public(list(rows), driver)
