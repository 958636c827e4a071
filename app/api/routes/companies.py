"""Companies: a filtered, paginated list and the full profile of one company."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.api.deps import DriverDep, Reader, SettingsDep
from app.api.models import (
    CompanyCapability,
    CompanyListed,
    CompanyPublic,
    CompliancePublic,
    KvkPath,
    NLDLink,
    Page,
    Provenance,
    Ref,
)
from app.api.pages import Limit, Offset, page
from app.services.profiles import Viewer, profile_extras, redact_rows
from app.services.registrations import COMPLIANCE, pending_for
from core.errors import NotFoundError
from graph.repositories.directory import DirectoryRepository
from graph.repositories.profiles import ProfileRepository
from graph.repositories.registrations import RegistrationsRepository
from matching.filters import resolve_one
from ontology.profile import DefenceExperienceFilter
from ontology.taxonomy import load_taxonomy

log = logging.getLogger(__name__)

router = APIRouter(prefix="/companies", tags=["companies"])

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
    repo = ProfileRepository(driver)
    return page(DirectoryRepository(driver).companies_page(
        resolve_one("municipalities", municipality, driver, taxonomy),
        resolve_one("capabilities", capability, driver, taxonomy), q, limit, offset,
        defence_experience=list(dict.fromkeys(defence_experience or [])) or None,
        viewer=Viewer.of(_user).params()),
        limit, offset, lambda rows: redact_rows(repo, _user, [dict(r) for r in rows]))


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
def get_company(kvk: KvkPath, driver: DriverDep, settings: SettingsDep, user: Reader) -> Any:
    """One company's profile: declared vs. inferred capabilities, groups, NLD areas, where the
    data came from and whether it was verified. The company itself, admins and business
    developers also see its pending changes."""
    directory = DirectoryRepository(driver)
    r = directory.company_profile(kvk)
    if r is None:
        raise NotFoundError(f"No company with KvK number {kvk}.")
    names = directory.nld_area_names()
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
        compliance=CompliancePublic(**{k: company[k] for k in COMPLIANCE})
        if any(company[k] is not None for k in COMPLIANCE) else None,
        pending_changes=pending_for(RegistrationsRepository(driver), kvk) if user is not None and (
            user.role in ("admin", "bizdev") or user.kvk_number == kvk) else None,
    )
    # Claims, defence experience and visibility, then every field the caller may not see
    # blanked (pending changes are shown only to the company itself, admins and bizdev).
    return profile_extras(ProfileRepository(driver), user, kvk, out.model_dump())

