"""Administration: who am I, users and tokens, the audit trail, RDF export and registry
imports. Every write here is audited like the rest."""

from __future__ import annotations

import logging
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import Response
from pydantic import BaseModel, BeforeValidator, Field

from app.api.deps import CurrentUser, DriverDep, SettingsDep, get_encoder, require_roles
from app.api.models import AuditPublic, Page
from app.api.pages import Limit, Offset, page
from app.services import audit
from app.services.users import (
    UserCreate,
    UserListed,
    UserPublic,
    create_user,
    list_users,
    revoke_user,
)
from core.errors import ForbiddenError, NotFoundError, ParaatError, ValidationError
from graph.repositories.audit import AuditRepository
from graph.repositories.users import UsersRepository

log = logging.getLogger(__name__)

router = APIRouter(tags=["admin"])

Admin = Annotated[UserPublic, Depends(require_roles("admin"))]
Exporter = Annotated[UserPublic, Depends(require_roles("admin", "bizdev"))]


@router.get("/me", response_model=UserPublic, tags=["meta"])
def me(user: CurrentUser) -> Any:
    """The caller behind the token: the UI decides which pages to show from the role."""
    return user


# --------------------------------------------------------------------------- users


class UserCreated(UserPublic):
    token: str = Field(max_length=200, description="Shown once; only its hash is stored.")


@router.get("/users", response_model=list[UserListed])
def get_users(_admin: Admin, driver: DriverDep) -> Any:
    return list_users(UsersRepository(driver))


@router.post("/users", response_model=UserCreated, status_code=201)
def post_user(body: UserCreate, admin: Admin, driver: DriverDep, settings: SettingsDep) -> Any:
    user, token = create_user(UsersRepository(driver), body,
                              settings.api.secret.get_secret_value(), admin)
    return UserCreated(**user.model_dump(), token=token)


@router.delete("/users/{user_id}", status_code=204)
def delete_user(user_id: Annotated[str, PathParam(pattern=r"^[0-9a-f]{16}$")], admin: Admin,
                driver: DriverDep) -> Response:
    """Revoke a token (the user stays listed as revoked, for the audit trail)."""
    revoke_user(UsersRepository(driver), user_id, admin)
    return Response(status_code=204)


# --------------------------------------------------------------------------- audit


@router.get("/audit", response_model=Page[AuditPublic])
def get_audit(
    _admin: Admin, driver: DriverDep,
    entity: Annotated[str | None, Query(pattern=r"^[a-z_]{1,30}$")] = None,
    entity_id: Annotated[str | None, Query(max_length=200)] = None,
    actor_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    """Every write, newest first: who, when, what, and the object before and after."""
    filters = {"entity": entity, "entity_id": entity_id, "actor_id": actor_id}
    return page(AuditRepository(driver).page(filters, limit, offset), limit, offset,
                lambda rows: [AuditPublic(**{**dict(r), "before": audit.parse(r["before"]),
                                             "after": audit.parse(r["after"])})
                              for r in rows])


# --------------------------------------------------------------------------- RDF export

_RDF_MEDIA = {"turtle": "text/turtle", "json-ld": "application/ld+json",
              "nt": "application/n-triples"}
_RDF_SUFFIX = {"turtle": "ttl", "json-ld": "jsonld", "nt": "nt"}


@router.get("/export/rdf", response_class=Response,
            responses={200: {"content": {m: {} for m in _RDF_MEDIA.values()}}})
def export_rdf(user: Exporter, driver: DriverDep,
               format: Literal["turtle", "json-ld", "nt"] = "turtle",
               level: Annotated[Literal["public", "defence", "all"], Query(
                   description="public: only the fields companies show everyone (default); "
                   "defence: also those for bizdev, scouts and admins; all: also the hidden "
                   "ones (admins only)")] = "public") -> Response:
    """The graph as RDF in the ontology's vocabulary (users, questions and audit left out),
    with each company's fields as far as `level` may see them."""
    from ingest.rdf.export import export_rdf as build
    from ingest.rdf.export import serialize

    if level == "all" and user.role != "admin":
        raise ForbiddenError("Only admins export hidden profile fields (level=all).")
    text = serialize(build(driver, level), format)
    return Response(text, media_type=_RDF_MEDIA[format], headers={
        "Content-Disposition": f'attachment; filename="paraat.{_RDF_SUFFIX[format]}"'})


# --------------------------------------------------------------------------- imports


class ImportRejection(BaseModel):
    row: int
    field: str = Field(max_length=100)
    reason_nl: str = Field(max_length=2000)
    reason_en: str = Field(max_length=2000)
    value: str | None = Field(default=None, max_length=500)


class ImportJob(BaseModel):
    id: str = Field(max_length=64)
    file: str = Field(max_length=300)
    status: Literal["running", "done", "failed"]
    dry_run: bool
    processed: int = 0
    total: int = 0
    summary: dict[str, Any] | None = None
    rejections: list[ImportRejection] = Field(default_factory=list, max_length=100_000)
    error: str | None = Field(default=None, max_length=2000)


@dataclass
class _Job:
    id: str
    file: str
    dry_run: bool
    status: str = "running"
    processed: int = 0
    total: int = 0
    summary: dict[str, Any] | None = None
    rejections: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    started: float = field(default_factory=time.monotonic)


_SUFFIXES = {".csv", ".txt", ".xlsx"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A file whose name has no suffix is read by the media type of its part.
_SUFFIX_BY_TYPE = {"text/csv": ".csv", "text/plain": ".txt", XLSX_TYPE: ".xlsx"}
_UPLOAD_SCHEMA = {"requestBody": {"content": {"multipart/form-data": {"encoding": {
    "file": {"contentType": ", ".join(_SUFFIX_BY_TYPE)}}}}}}


def _jobs(request: Request) -> dict[str, _Job]:
    jobs: dict[str, _Job] | None = getattr(request.app.state, "import_jobs", None)
    if jobs is None:
        jobs = request.app.state.import_jobs = {}
    return jobs


def _form_bool(value: Any) -> Any:
    # The schema says boolean: "true" or "false" in a form, not "0", "yes" or "on".
    if isinstance(value, str) and value not in ("true", "false"):
        raise ValueError("must be true or false")
    return value


def _upload_suffix(file: UploadFile) -> str:
    """The file's type: its name's suffix (.csv, .txt, .xlsx) or, for a name without one, the
    media type of its part (text/csv, text/plain, the XLSX type)."""
    suffix = Path(file.filename or "").suffix.lower()
    if not suffix:
        media = (file.content_type or "").split(";", 1)[0].strip().lower()
        suffix = _SUFFIX_BY_TYPE.get(media, "")
    if suffix not in _SUFFIXES:
        raise ValidationError("Only CSV or XLSX files can be imported (.csv, .txt, .xlsx), "
                              f"not {suffix or 'a file without a suffix or CSV/XLSX type'}.")
    return suffix


@router.post("/imports", response_model=ImportJob, status_code=202, openapi_extra=_UPLOAD_SCHEMA)
def post_import(
    request: Request, admin: Admin, driver: DriverDep,
    file: Annotated[UploadFile, File(description=(
        "Registry as CSV or XLSX: a name ending in .csv, .txt or .xlsx, or a part of type "
        "text/csv, text/plain or the XLSX type."))],
    mapping: Annotated[UploadFile | None, File(description="Optional column mapping YAML")
                       ] = None,
    dry_run: Annotated[bool, BeforeValidator(_form_bool), Form()] = False,
) -> Any:
    """Start importing a registry file with the ingest pipeline; poll `GET /imports/{id}` for
    progress and the rejected rows. The file is stored under a generated name, so the name a
    client sends never becomes a path."""
    suffix = _upload_suffix(file)
    original = Path(file.filename or f"upload{suffix}").name[:200]
    work = Path(tempfile.mkdtemp(prefix="paraat-import-"))
    path = work / f"registry{suffix}"
    path.write_bytes(file.file.read())
    mapping_path = None
    if mapping is not None:
        mapping_path = work / "mapping.yaml"
        mapping_path.write_bytes(mapping.file.read(100_001)[:100_000])
    job = _Job(id=uuid.uuid4().hex, file=original, dry_run=dry_run)
    _jobs(request)[job.id] = job
    encoder = None if dry_run else get_encoder(request)

    def run() -> None:
        from ingest.registry import import_registry

        def progress(done: int, total: int) -> None:
            job.processed, job.total = done, total

        try:
            summary = import_registry(driver, path, mapping=mapping_path, source=original,
                                      dry_run=dry_run, encoder=encoder, progress=progress)
            job.summary = summary.headline()
            job.summary["file"] = original
            job.rejections = [asdict(r) for r in summary.rejections]
            job.total = job.total or summary.valid
            job.processed = job.total
            job.status = "done"
            if not dry_run:
                audit.record(AuditRepository(driver), admin.id, admin.role, "import.run",
                             "import", job.id, None,
                             {"file": original, **{k: v for k, v in job.summary.items()
                                                   if isinstance(v, int | float | str)}})
        except ParaatError as e:
            job.status, job.error = "failed", str(e)
        except Exception:  # the job reports failure; the details go to the log only
            log.exception("import %s failed", job.id)
            job.status, job.error = "failed", "Internal error during the import."

    threading.Thread(target=run, name=f"import-{job.id[:8]}", daemon=True).start()
    return _public_job(job)


def _public_job(job: _Job) -> ImportJob:
    return ImportJob(id=job.id, file=job.file, status=job.status,  # type: ignore[arg-type]
                     dry_run=job.dry_run, processed=job.processed, total=job.total,
                     summary=job.summary,
                     rejections=[ImportRejection(**r) for r in job.rejections],
                     error=job.error)


@router.get("/imports/{job_id}", response_model=ImportJob)
def get_import(job_id: Annotated[str, PathParam(pattern=r"^[0-9a-f]{32}$")], request: Request,
               _admin: Admin) -> Any:
    job = _jobs(request).get(job_id)
    if job is None:
        raise NotFoundError(f"No import {job_id} on this API process.")
    return _public_job(job)
