"""Profiles a company controls and Defence can trust (issue 20, items 4-6), shared by the API
and the CLI.

- Visibility: each maintainable field is public, `defence` (bizdev, scout, admin) or `hidden`
  (admin only). The company itself always sees its own. `Viewer` says what a caller may see;
  `withheld` which fields of one company it may not; the `redact_*` functions blank those in
  every answer that shows a company (profile, list, match hit with its explanation).
- Compliance claims: one per kind and company, with a state (self_declared,
  evidence_uploaded, verified), an expiry date and who verified it when. The company, admins
  and bizdev declare; only admins and bizdev verify.
- Defence experience: none, indirect or direct (absent: unknown).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Final

from core.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from graph.repositories.profiles import ProfileRepository
from ontology.profile import (  # noqa: F401  (re-exported for the API's models)
    CLAIM_KINDS,
    FIELDS,
    ClaimKind,
    ClaimState,
    DefenceExperience,
    DefenceExperienceFilter,
    FieldName,
    Level,
)

if TYPE_CHECKING:
    from app.services.users import UserPublic

log = logging.getLogger(__name__)

#: Evidence documents: kind -> the bytes a file of that kind starts with.
EVIDENCE_TYPES: Final[dict[str, tuple[bytes, ...]]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}
VERIFIERS: Final = frozenset({"admin", "bizdev"})
DECLARERS: Final = frozenset({"company", "admin", "bizdev"})
EXPERIENCE_SETTERS: Final = frozenset({"company", "admin", "bizdev", "scout"})
VISIBILITY_SETTERS: Final = frozenset({"company", "admin"})
DEFENCE_ROLES: Final = frozenset({"admin", "bizdev", "scout"})


# --------------------------------------------------------------------------- viewers


@dataclass(frozen=True)
class Viewer:
    """What one caller may see: everything (admin), defence-level fields (bizdev, scout),
    or public ones (anonymous, other companies); a company sees all of its own."""

    all: bool = False
    defence: bool = False
    kvk: str | None = None

    @classmethod
    def of(cls, user: UserPublic | None) -> Viewer:
        if user is None:
            return cls()
        return cls(all=user.role == "admin", defence=user.role in DEFENCE_ROLES,
                   kvk=user.kvk_number if user.role == "company" else None)

    @classmethod
    def level(cls, level: str) -> Viewer:
        """An audience by level, for exports: public, defence or all."""
        return cls(all=level == "all", defence=level in ("defence", "all"))

    def params(self) -> dict[str, Any]:
        """The `$viewer` map of graph.queries.profiles.WITHHELD."""
        return {"all": self.all, "defence": self.defence, "kvk": self.kvk}

    def withheld(self, kvk: str, meta: dict[str, Any] | None) -> frozenset[str]:
        """The fields of company `kvk` this viewer may not see."""
        if meta is None or self.all or (self.kvk is not None and self.kvk == kvk):
            return frozenset()
        out = set(meta.get("visibility_hidden") or [])
        if not self.defence:
            out |= set(meta.get("visibility_defence") or [])
        return frozenset(out)


def visibility_map(meta: dict[str, Any] | None) -> dict[str, str]:
    """Every field with its level."""
    defence = set((meta or {}).get("visibility_defence") or [])
    hidden = set((meta or {}).get("visibility_hidden") or [])
    return {f: "hidden" if f in hidden else "defence" if f in defence else "public"
            for f in FIELDS}


# --------------------------------------------------------------------------- redaction


def claims_public(meta: dict[str, Any] | None, today: date | None = None
                  ) -> list[dict[str, Any]]:
    """The claims as the API shows them, with their labels and whether they have expired."""
    today = today or datetime.now(UTC).date()
    out = []
    for c in (meta or {}).get("claims") or []:
        if not c or c.get("kind") not in CLAIM_KINDS:
            continue
        expires = c.get("expires_on")
        nl, en = CLAIM_KINDS[c["kind"]]
        out.append({**c, "label_nl": nl, "label_en": en,
                    "expired": bool(expires) and date.fromisoformat(expires) < today})
    return out


def badges(meta: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The short form on a result card: kind, state, expiry."""
    return [{k: c[k] for k in ("kind", "label_nl", "label_en", "state", "expires_on",
                               "expired")} for c in claims_public(meta)]


def redact_profile(profile: dict[str, Any], withheld: frozenset[str]) -> dict[str, Any]:
    """A company profile (CompanyPublic as a dict) without the withheld fields. Capability
    evidence is quoted from the description, and NLD areas come via capabilities: they go
    with the fields they derive from."""
    if not withheld:
        return profile
    p = dict(profile)
    for f in ("description", "description_en", "activity", "website", "employees",
              "sbi_code", "municipality", "defence_experience"):
        if f in withheld:
            p[f] = None
    if "capabilities" in withheld:
        p["declared_capabilities"] = []
        p["inferred_capabilities"] = []
        p["nld_areas"] = [a for a in (
            {**a, "via": [v for v in a["via"] if not v.startswith("capability:")]}
            for a in p.get("nld_areas") or []) if a["via"]]
    elif withheld & {"description", "description_en"}:
        for key in ("declared_capabilities", "inferred_capabilities"):
            p[key] = [{**c, "evidence": None} for c in p.get(key) or []]
    if "compliance" in withheld:
        p["compliance"] = None
        p["compliance_claims"] = []
    return p


def redact_listed(row: dict[str, Any], withheld: frozenset[str]) -> dict[str, Any]:
    out = dict(row)
    for f in ("website", "employees", "defence_experience"):
        if f in withheld:
            out[f] = None
    if "municipality" in withheld:
        out["municipality"] = out["municipality_name"] = None
    return out


def redact_hit(hit: dict[str, Any], withheld: frozenset[str]) -> dict[str, Any]:
    """A match hit without what the viewer may not see, in the fields and the explanation:
    evidence phrases and lexical terms quote the description, graph paths the capabilities."""
    h = dict(hit)
    for f in ("website", "employees", "municipality", "defence_experience"):
        if f in withheld:
            h[f] = None
    if "compliance" in withheld:
        h["compliance"] = []
    if not withheld:
        return h
    ex = dict(h.get("explanation") or {})
    if withheld & {"description", "description_en"}:
        ex["phrases"] = []
        ex["lexical_terms"] = []
    if "capabilities" in withheld:
        ex["concepts"] = [c for c in ex.get("concepts") or [] if c.get("via") == "cluster"]
        ex["graph_paths"] = [p for p in ex.get("graph_paths") or []
                             if "HAS_CAPABILITY" not in p]
    if "municipality" in withheld:
        ex.pop("municipality", None)
    h["explanation"] = ex
    return h


# --------------------------------------------------------------------------- changes


def _audit(actor: UserPublic, action: str, entity: str, entity_id: str, kvk: str,
           before: Any, after: Any) -> dict[str, Any]:
    """The parameters of graph.queries.audit.AUDIT_RECORD."""

    def snap(v: Any) -> str | None:
        return None if v is None else json.dumps(v, ensure_ascii=False, sort_keys=True,
                                                 default=str)[:100_000]

    return {"id": uuid.uuid4().hex, "actor_id": actor.id, "actor_role": actor.role,
            "action": action, "entity": entity, "entity_id": entity_id, "kvk_number": kvk,
            "before": snap(before), "after": snap(after)}


def _own_or(user: UserPublic, kvk: str, roles: frozenset[str], what: str) -> None:
    if user.role not in roles:
        raise ForbiddenError(f"Role '{user.role}' may not {what}; needs one of: "
                             f"{', '.join(sorted(roles))}.")
    if user.role == "company" and user.kvk_number != kvk:
        raise ForbiddenError(f"A company account may only {what} for its own profile.")


def _meta(repo: ProfileRepository, kvk: str) -> dict[str, Any]:
    meta = repo.meta([kvk]).get(kvk)
    if meta is None:
        raise NotFoundError(f"No company with KvK number {kvk}.")
    return meta


def set_visibility(repo: ProfileRepository, user: UserPublic, kvk: str,
                   changes: dict[str, str]) -> dict[str, str]:
    """Change the level of the given fields (the others keep theirs); returns all levels."""
    _own_or(user, kvk, VISIBILITY_SETTERS, "set field visibility")
    before = visibility_map(_meta(repo, kvk))
    after = {**before, **changes}
    repo.set_visibility(kvk, sorted(f for f, v in after.items() if v == "defence"),
                        sorted(f for f, v in after.items() if v == "hidden"),
                        _audit(user, "company.visibility", "company", kvk, kvk,
                               before, after))
    return after


def visibility_of(repo: ProfileRepository, user: UserPublic, kvk: str) -> dict[str, str]:
    _own_or(user, kvk, VISIBILITY_SETTERS, "read field visibility")
    return visibility_map(_meta(repo, kvk))


def set_defence_experience(repo: ProfileRepository, user: UserPublic, kvk: str,
                           value: str | None) -> str | None:
    _own_or(user, kvk, EXPERIENCE_SETTERS, "set defence experience")
    before = _meta(repo, kvk)["defence_experience"]
    repo.set_defence_experience(kvk, value, _audit(
        user, "company.defence_experience", "company", kvk, kvk,
        {"defence_experience": before}, {"defence_experience": value}))
    return value


def _claim(repo: ProfileRepository, kvk: str, kind: str) -> dict[str, Any]:
    for c in claims_public(_meta(repo, kvk)):
        if c["kind"] == kind:
            return c
    raise NotFoundError(f"Company {kvk} has no {kind} claim.")


def declare_claim(repo: ProfileRepository, user: UserPublic, kvk: str, kind: str,
                  value: str | None, expires_on: date | None) -> dict[str, Any]:
    """Declare or change a claim. A changed value or expiry drops an earlier verification."""
    _own_or(user, kvk, DECLARERS, "declare compliance")
    before = next((c for c in claims_public(_meta(repo, kvk)) if c["kind"] == kind), None)
    repo.upsert_claim(kvk, kind, value, expires_on.isoformat() if expires_on else None,
                      user.id, _audit(user, "claim.declare", "claim", f"{kvk}:{kind}", kvk,
                                      before, {"value": value, "expires_on": expires_on}))
    return _claim(repo, kvk, kind)


def sniff(content_type: str, data: bytes) -> str:
    """The document's type, checked against its first bytes (a PDF must look like one)."""
    kind = content_type.split(";")[0].strip().lower()
    if kind not in EVIDENCE_TYPES:
        raise ValidationError(f"Evidence must be one of {', '.join(EVIDENCE_TYPES)}, "
                              f"not {kind or 'an unnamed type'!r}.")
    if not data:
        raise ValidationError("The evidence document is empty.")
    if not data.startswith(EVIDENCE_TYPES[kind]):
        raise ValidationError(f"The document does not look like {kind}.")
    return kind


def upload_evidence(repo: ProfileRepository, user: UserPublic, kvk: str, kind: str,
                    filename: str, content_type: str, data: bytes) -> dict[str, Any]:
    """Evidence for an existing claim: stored in the graph, the claim waits for verification."""
    _own_or(user, kvk, DECLARERS, "upload evidence")
    _claim(repo, kvk, kind)
    ctype = sniff(content_type, data)
    sha = hashlib.sha256(data).hexdigest()
    doc = {"sha256": sha, "filename": filename, "content_type": ctype, "size": len(data),
           "data": base64.b64encode(data).decode("ascii")}
    repo.set_evidence(kvk, kind, doc, user.id, _audit(
        user, "claim.evidence", "claim", f"{kvk}:{kind}", kvk, None,
        {"filename": filename, "sha256": sha, "size": len(data)}))
    return _claim(repo, kvk, kind)


def evidence(repo: ProfileRepository, user: UserPublic, kvk: str, kind: str
             ) -> tuple[str, str, bytes]:
    """The document (filename, type, bytes): for the company itself and the verifiers."""
    _own_or(user, kvk, DECLARERS, "read evidence")
    doc = repo.evidence(kvk, kind)
    if doc is None:
        raise NotFoundError(f"No evidence on file for the {kind} claim of {kvk}.")
    return doc["filename"], doc["content_type"], base64.b64decode(doc["data"])


def verify_claim(repo: ProfileRepository, user: UserPublic, kvk: str, kind: str,
                 note: str | None) -> dict[str, Any]:
    """Only admins and business developers verify; an expired claim cannot be."""
    if user.role not in VERIFIERS:
        raise ForbiddenError(f"Role '{user.role}' may not verify compliance; needs one of: "
                             f"{', '.join(sorted(VERIFIERS))}.")
    claim = _claim(repo, kvk, kind)
    if claim["expired"]:
        raise ConflictError(f"The {kind} claim of {kvk} expired on {claim['expires_on']}; "
                              "the company must renew it first.")
    repo.verify_claim(kvk, kind, user.id, note, _audit(
        user, "claim.verify", "claim", f"{kvk}:{kind}", kvk, {"state": claim["state"]},
        {"state": "verified", "note": note}))
    return _claim(repo, kvk, kind)


def delete_claim(repo: ProfileRepository, user: UserPublic, kvk: str, kind: str) -> None:
    _own_or(user, kvk, DECLARERS, "withdraw compliance")
    claim = _claim(repo, kvk, kind)
    repo.delete_claim(kvk, kind, _audit(user, "claim.withdraw", "claim", f"{kvk}:{kind}",
                                        kvk, claim, None))


# --------------------------------------------------------------------------- answers


def profile_extras(repo: ProfileRepository, user: UserPublic | None, kvk: str,
                   profile: dict[str, Any]) -> dict[str, Any]:
    """A profile with its claims, defence experience and (for the company and admins) the
    level of every field, redacted for the caller."""
    meta = repo.meta([kvk]).get(kvk)
    viewer = Viewer.of(user)
    p = {**profile, "defence_experience": (meta or {}).get("defence_experience"),
         "compliance_claims": claims_public(meta)}
    if viewer.all or (viewer.kvk is not None and viewer.kvk == kvk):
        p["visibility"] = visibility_map(meta)
    return redact_profile(p, viewer.withheld(kvk, meta))


def redact_rows(repo: ProfileRepository, user: UserPublic | None,
                rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Company list rows (with `kvk_number`), each redacted for the caller."""
    viewer = Viewer.of(user)
    metas = repo.meta(r["kvk_number"] for r in rows)
    out = []
    for r in rows:
        meta = metas.get(r["kvk_number"])
        out.append(redact_listed({**r, "defence_experience": (meta or {}).get(
            "defence_experience")}, viewer.withheld(r["kvk_number"], meta)))
    return out


def decorate_hits(repo: ProfileRepository, viewer: Viewer,
                  hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Match hits of companies with their badges and defence experience, redacted for the
    viewer. Hits of other supply kinds (no `kvk_number`) pass unchanged."""
    kvks = [h["kvk_number"] for h in hits if h.get("kvk_number")]
    metas = repo.meta(kvks)
    out = []
    for h in hits:
        kvk = h.get("kvk_number")
        if not kvk:
            out.append(h)
            continue
        meta = metas.get(kvk)
        out.append(redact_hit({**h, "defence_experience": (meta or {}).get(
            "defence_experience"), "compliance": badges(meta)}, viewer.withheld(kvk, meta)))
    return out
