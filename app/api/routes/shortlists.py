"""Shortlists: a Business Developer's (or scout's) own list of suppliers with a note each,
exported as CSV (UTF-8 with BOM, `;`-separated, so Dutch Excel opens it) or XLSX.

Only the owner sees or changes a list; to anyone else, an admin too, it does not exist (404,
the answer for a missing list), so list ids cannot be probed and a Business Developer's working
lists stay theirs (README, docs/security.md §2). Every write is audited and accepts an
`Idempotency-Key`.
"""

from __future__ import annotations

import csv
import io
import logging
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from neo4j import ManagedTransaction
from openpyxl import Workbook

from app.api.deps import DriverDep, require_roles
from app.api.idempotency import IdempotencyKey
from app.api.list_models import (
    ShortlistCreate,
    ShortlistItemCreate,
    ShortlistListed,
    ShortlistPublic,
)
from app.api.models import KvkPath, Page
from app.api.pages import Limit, Offset, page
from app.services import audit
from app.services.idempotency import fingerprint, run_write
from app.services.lists import check_shortlist_owner, load_shortlist
from app.services.users import UserPublic
from core.errors import NotFoundError
from graph.repositories.idempotency import IdempotencyRepository
from graph.repositories.lists import ListsRepository

log = logging.getLogger(__name__)

router = APIRouter(prefix="/shortlists", tags=["shortlists"])

Lister = Annotated[UserPublic, Depends(require_roles("bizdev", "scout", "admin"))]
ListId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="Shortlist id.")]

EXPORT_COLUMNS = ("kvk_number", "name", "municipality", "website", "employees", "note",
                  "added_at")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.post("", response_model=ShortlistPublic, status_code=201)
def create_shortlist(body: ShortlistCreate, user: Lister, driver: DriverDep, request: Request,
                     idempotency_key: IdempotencyKey = None) -> Any:
    """A new, empty shortlist owned by the caller."""
    lists = ListsRepository(driver)
    list_id = uuid.uuid4().hex

    def work(tx: ManagedTransaction) -> dict[str, Any]:
        lists.create_shortlist_in(tx, id=list_id, name=body.name, question=body.question,
                                  owner=user.id)
        audit.record(tx, user.id, user.role, "shortlist.create", "shortlist", list_id, None,
                     body.model_dump())
        return {"id": list_id}

    fp = fingerprint("POST", request.url.path, body.model_dump())
    done = run_write(IdempotencyRepository(driver), user.id, idempotency_key, fp, 201, work)
    return load_shortlist(lists, str(done.body["id"]), user)


@router.get("", response_model=Page[ShortlistListed])
def list_shortlists(user: Lister, driver: DriverDep, limit: Limit = 50,
                    offset: Offset = 0) -> Any:
    """The caller's own shortlists, newest first."""
    return page(ListsRepository(driver).shortlists_page(user.id, limit, offset), limit, offset)


@router.get("/{list_id}", response_model=ShortlistPublic)
def get_shortlist(list_id: ListId, user: Lister, driver: DriverDep) -> Any:
    """One shortlist with its suppliers (name, municipality, note, when added)."""
    return load_shortlist(ListsRepository(driver), list_id, user)


@router.post("/{list_id}/items", response_model=ShortlistPublic, status_code=201)
def add_item(list_id: ListId, body: ShortlistItemCreate, user: Lister, driver: DriverDep,
             request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Add a supplier (or replace its note when it is already on the list)."""
    lists = ListsRepository(driver)
    check_shortlist_owner(lists, list_id, user)

    def work(tx: ManagedTransaction) -> dict[str, Any]:
        rec = lists.add_item_in(tx, list_id, body.kvk_number, body.note, user.id)
        if rec is None:
            raise NotFoundError(f"No company with KvK number {body.kvk_number}.")
        audit.record(tx, user.id, user.role, "shortlist.add_item", "shortlist", list_id,
                     rec["before"], {"kvk_number": body.kvk_number, "note": rec["note"],
                      "added_at": rec["added_at"]})
        return {"id": list_id}

    fp = fingerprint("POST", request.url.path, body.model_dump())
    run_write(IdempotencyRepository(driver), user.id, idempotency_key, fp, 201, work)
    return load_shortlist(lists, list_id, user)


@router.delete("/{list_id}/items/{kvk}", response_model=ShortlistPublic)
def remove_item(list_id: ListId, kvk: KvkPath, user: Lister, driver: DriverDep) -> Any:
    """Remove a supplier from the list; 404 when it is not on it."""
    lists = ListsRepository(driver)
    check_shortlist_owner(lists, list_id, user)

    def work(tx: ManagedTransaction) -> None:
        rec = lists.remove_item_in(tx, list_id, kvk)
        if rec is None:
            raise NotFoundError(f"KvK number {kvk} is not on shortlist {list_id}.")
        audit.record(tx, user.id, user.role, "shortlist.remove_item", "shortlist", list_id,
                     {"kvk_number": kvk, **(rec["before"] or {})}, None)

    lists.execute_write(work)
    return load_shortlist(lists, list_id, user)


def export_rows(items: list[dict[str, Any]]) -> list[list[Any]]:
    out = []
    for it in items:
        row = dict(it, municipality=it.get("municipality_name") or it.get("municipality"))
        out.append([row.get(c) for c in EXPORT_COLUMNS])
    return out


def to_csv(items: list[dict[str, Any]]) -> bytes:
    """UTF-8 with a BOM and `;` as separator: what Excel with Dutch settings expects."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(EXPORT_COLUMNS)
    for row in export_rows(items):
        w.writerow(["" if v is None else _cell(v) for v in row])
    return buf.getvalue().encode("utf-8-sig")


def _cell(value: Any) -> Any:
    # A cell starting with = + - @ would be run as a formula by a spreadsheet: quote it.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_xlsx(items: list[dict[str, Any]], title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = (title or "Shortlist")[:31].translate(str.maketrans("[]:*?/\\", "_______"))
    ws.append(list(EXPORT_COLUMNS))
    for row in export_rows(items):
        ws.append([_cell(v) for v in row])
    for col, width in zip("ABCDEFG", (12, 40, 20, 30, 10, 60, 28), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _filename(name: str, ext: str) -> str:
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "-"
                   for ch in name).strip("-")[:60]
    return f"shortlist-{safe or 'export'}.{ext}"


@router.get("/{list_id}/export", response_class=Response,
            responses={200: {"content": {CSV_TYPE: {}, XLSX_TYPE: {}},
                             "description": "The shortlist as a file."}})
def export_shortlist(list_id: ListId, user: Lister, driver: DriverDep,
                     format: Annotated[Literal["csv", "xlsx"], Query(
                         description="csv (UTF-8 with BOM, `;`) or xlsx")] = "csv"
                     ) -> Response:
    """The shortlist as a file download."""
    sl = load_shortlist(ListsRepository(driver), list_id, user)
    if format == "csv":
        data, media = to_csv(sl["items"]), CSV_TYPE
    else:
        data, media = to_xlsx(sl["items"], sl["name"]), XLSX_TYPE
    name = _filename(sl["name"], format)
    return Response(content=data, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
