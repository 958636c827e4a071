"""The registration workflow: companies submit and maintain their profile, a business developer
or admin approves it, and only then does it count as verified; and a company's GDPR erasure.

Approval writes the company through the importer's writer (same hashing, capability inference,
embedding), with the registration's status, the verification stamp and the audit events in
the same transaction: either all of it happens or none.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable
from typing import Any

from neo4j import Driver, ManagedTransaction

from app.api.models import ComplianceIn, FieldChange, ProfileFields, RegistrationPublic
from app.services import audit
from app.services.idempotency import WriteResult, run_write
from app.services.loket import demand_summary
from app.services.users import UserPublic
from core.errors import ConflictError, ForbiddenError, NotFoundError
from core.settings import MatchSettings
from graph.repositories.idempotency import IdempotencyRepository
from graph.repositories.registrations import RegistrationsRepository
from ingest.companies import CompanyRecord, RunContext, write_companies
from matching.encoders.base import Encoder
from matching.encoders.cache import EmbeddingCache
from matching.reverse import reverse_match
from ontology.taxonomy import load_taxonomy

log = logging.getLogger(__name__)

COMPLIANCE = ("ncage_code", "iso9001", "aqap2110", "security_status", "export_control_notes")
_DIFF_FIELDS = ("name", "description", "description_en", "municipality", "website",
                "employees", "sbi_code", "capabilities",
                *(f"compliance.{k}" for k in COMPLIANCE))


def current_profiles(regs: RegistrationsRepository, kvks: Iterable[str]
                     ) -> dict[str, ProfileFields]:
    """The maintainable fields of each existing company among `kvks`, in one read."""
    wanted = sorted(set(kvks))
    if not wanted:
        return {}
    out: dict[str, ProfileFields] = {}
    for r in regs.profile_fields(wanted):
        props = {k: v for k, v in r["props"].items() if v is not None}
        compliance = {k: props.pop(k) for k in COMPLIANCE if k in props}
        out[r["kvk"]] = ProfileFields.model_construct(
            **{k: props.get(k) for k in ("name", "description", "description_en", "website",
                                         "employees", "sbi_code")},
            municipality=r["municipality"], capabilities=sorted(r["capabilities"]),
            compliance=ComplianceIn.model_construct(
                **{k: compliance.get(k) for k in COMPLIANCE}),
        )
    return out


def current_profile(regs: RegistrationsRepository, kvk: str) -> ProfileFields | None:
    """The company's maintainable fields as they are now, or None if it does not exist."""
    return current_profiles(regs, [kvk]).get(kvk)


def _flat(profile: ProfileFields | None) -> dict[str, Any]:
    if profile is None:
        return {}
    d = profile.model_dump()
    out = {k: v for k, v in d.items() if k != "compliance"}
    out["capabilities"] = sorted(out.get("capabilities") or [])
    for k, v in (d.get("compliance") or {}).items():
        out[f"compliance.{k}"] = v
    return out


def diff(before: ProfileFields | None, after: ProfileFields) -> list[FieldChange]:
    """Field by field, what approving would change (every set field for a new company)."""
    b, a = _flat(before), _flat(after)
    return [FieldChange(field=f, before=b.get(f), after=a.get(f)) for f in _DIFF_FIELDS
            if b.get(f) != a.get(f)]


def registration_public(r: Any, current: dict[str, ProfileFields] | None = None
                        ) -> RegistrationPublic:
    """The registration; a pending one with its diff against the company's profile as it is
    now, taken from `current` (None: no diff, e.g. inside the deciding transaction)."""
    profile = ProfileFields.model_validate(json.loads(r["profile"]))
    changes = diff(current.get(r["kvk_number"]), profile) \
        if current is not None and r["status"] == "pending" else []
    return RegistrationPublic(
        id=r["id"], kvk_number=r["kvk_number"], kind=r["kind"], status=r["status"],
        submitted_by=r["submitted_by"], submitted_at=r["submitted_at"],
        decided_by=r["decided_by"], decided_at=r["decided_at"],
        decision_note=r["decision_note"], profile=profile, diff=changes)


def registrations_public(regs: RegistrationsRepository, rows: list[Any]
                         ) -> list[RegistrationPublic]:
    """A page of registrations with their diffs: the current profiles in one read, not one
    per row."""
    current = current_profiles(regs, [r["kvk_number"] for r in rows if r["status"] == "pending"])
    return [registration_public(r, current) for r in rows]


def pending_for(regs: RegistrationsRepository, kvk: str) -> list[RegistrationPublic]:
    return registrations_public(regs, regs.pending_for(kvk))


def preview(driver: Driver, encoder: Encoder, match: MatchSettings, description: str,
            capabilities: list[str]) -> dict[str, Any]:
    """How Defence would find a profile: the concepts read from it, its NLD areas, and the
    themes and NLD areas of past demand questions sharing those concepts (never their words)."""
    taxonomy = load_taxonomy()
    labels = [taxonomy.capabilities[c].label("nl") for c in capabilities
              if c in taxonomy.capabilities]
    text = description if not labels else f"{description}\n{', '.join(labels)}"
    matches, _ = reverse_match(driver, encoder, match, text, taxonomy)
    questions = [q for q in matches["demand_questions"] if q["shared_concepts"]]
    return {"concepts": matches["concepts"][:20], "nld_areas": matches["nld_areas"][:5],
            **demand_summary(questions, taxonomy)}


def load(regs: RegistrationsRepository, reg_id: str) -> Any:
    r = regs.get(reg_id)
    if r is None:
        raise NotFoundError(f"No registration {reg_id}.")
    return r


def may_see(user: UserPublic, kvk: str, submitted_by: str | None = None) -> bool:
    return user.role in ("admin", "bizdev") or user.id == submitted_by or (
        user.role == "company" and user.kvk_number == kvk)


def submit(regs: RegistrationsRepository, keys: IdempotencyRepository, user: UserPublic,
           kvk: str, profile: ProfileFields, key: str | None, fp: str) -> WriteResult:
    """Store a pending registration (new company or change) with its audit event."""
    before = current_profile(regs, kvk)
    reg_id = uuid.uuid4().hex
    profile_json = profile.model_dump_json()

    def work(tx: ManagedTransaction) -> dict[str, Any]:
        regs.create_in(tx, id=reg_id, kvk=kvk, kind="change" if before else "new",
                       profile=profile_json, user_id=user.id, role=user.role)
        audit.record(tx, user.id, user.role, "registration.submit", "registration", reg_id,
                     None, {"kvk_number": kvk, **profile.model_dump()}, kvk_number=kvk)
        out = registration_public(regs.get_in(tx, reg_id))
        out.diff = diff(before, profile)
        return out.model_dump(mode="json")

    return run_write(keys, user.id, key, fp, 201, work)


def approve(regs: RegistrationsRepository, keys: IdempotencyRepository, encoder: Encoder,
            user: UserPublic, reg_id: str, note: str | None, key: str | None, fp: str, *,
            own_ok: bool = False, cache: EmbeddingCache | None = None) -> WriteResult:
    """`own_ok` only for an admin's direct edit, which is submitted and approved at once."""
    reg = load(regs, reg_id)
    if reg["status"] != "pending":
        raise ConflictError(f"Registration {reg_id} is already {reg['status']}.")
    if reg["submitted_by"] == user.id and not own_ok:
        raise ForbiddenError("Nobody approves their own submission; ask a colleague.")
    kvk = reg["kvk_number"]
    profile = ProfileFields.model_validate(json.loads(reg["profile"]))
    before = current_profile(regs, kvk)
    record = CompanyRecord(
        kvk_number=kvk, name=profile.name or "", description=profile.description or "",
        description_en=profile.description_en, municipality=profile.municipality,
        website=profile.website, employees=profile.employees, sbi_code=profile.sbi_code,
        capabilities=profile.capabilities, source="registration")
    compliance = profile.compliance.model_dump()

    def work(tx: ManagedTransaction) -> dict[str, Any]:
        if regs.lock_status_in(tx, reg_id) != "pending":
            raise ConflictError(f"Registration {reg_id} was decided meanwhile.")
        regs.decide_in(tx, reg_id, "approved", user.id, note)
        regs.mark_verified_in(tx, kvk, compliance, user.id, reg_id)
        audit.record(tx, user.id, user.role, "registration.approve", "registration", reg_id,
                     {"status": "pending"}, {"status": "approved", "note": note},
                     kvk_number=kvk)
        audit.record(tx, user.id, user.role, "company.update" if before else "company.create",
                     "company", kvk, _flat(before) or None, _flat(profile))
        return registration_public(regs.get_in(tx, reg_id)).model_dump(mode="json")

    def execute(tx_work: Any) -> None:
        write_companies(regs.driver, [record], load_taxonomy(),
                        RunContext(source="registration", file=f"registration:{reg_id}"),
                        encoder=encoder, cache=cache, in_tx=tx_work)

    result = run_write(keys, user.id, key, fp, 200, work, execute=execute)
    log.info("registration %s for %s approved by %s", reg_id, kvk, user.id)
    return result


def reject(regs: RegistrationsRepository, keys: IdempotencyRepository, user: UserPublic,
           reg_id: str, reason: str, key: str | None, fp: str) -> WriteResult:
    reg = load(regs, reg_id)
    if reg["status"] != "pending":
        raise ConflictError(f"Registration {reg_id} is already {reg['status']}.")

    def work(tx: ManagedTransaction) -> dict[str, Any]:
        if regs.lock_status_in(tx, reg_id) != "pending":
            raise ConflictError(f"Registration {reg_id} was decided meanwhile.")
        regs.decide_in(tx, reg_id, "rejected", user.id, reason)
        audit.record(tx, user.id, user.role, "registration.reject", "registration", reg_id,
                     {"status": "pending"}, {"status": "rejected", "reason": reason},
                     kvk_number=reg["kvk_number"])
        return registration_public(regs.get_in(tx, reg_id)).model_dump(mode="json")

    return run_write(keys, user.id, key, fp, 200, work)


def erase_company(regs: RegistrationsRepository, user: UserPublic, kvk: str) -> None:
    """GDPR erasure: the node, its registrations, its loket items and the personal data in its
    audit history. The audit keeps that it was erased, by whom and when."""

    def work(tx: ManagedTransaction) -> str | None:
        name = regs.erase_company_in(tx, kvk, json.dumps({"erased": True}))
        if name is not None:
            audit.record(tx, user.id, user.role, "company.erase", "company", kvk, None, None)
        return name

    if regs.execute_write(work) is None:
        raise NotFoundError(f"No company with KvK number {kvk}.")
    log.info("company %s erased by %s", kvk, user.id)
