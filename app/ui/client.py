"""A small typed client of the Paraat API: the UI's only way to the graph.

Every call goes over HTTP with a bearer token and a timeout. Anything that goes wrong (no
connection, timeout, 4xx/5xx problem+json) becomes an `ApiError` whose `kind` the pages turn
into a friendly, translated message; the UI never shows a traceback.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import httpx

log = logging.getLogger(__name__)

Json = dict[str, Any]
DEFAULT_TIMEOUT = 15.0
MATCH_TIMEOUT = 120.0  # the first question loads the encoder in the API
WRITE_TIMEOUT = 120.0  # approving embeds the profile; loket items are reverse-matched


@dataclass
class FieldError:
    """A validation message for one field (SHACL gives Dutch and English)."""

    field: str
    message_nl: str
    message_en: str

    def message(self, lang: str) -> str:
        return self.message_en if lang == "en" else self.message_nl


@dataclass
class ApiError(Exception):
    """A failed API call. `kind` is one of: unreachable, timeout, unauthorized, forbidden,
    not_available (the server has no such endpoint), not_found, conflict, empty_graph,
    invalid, too_large, rate_limited, server, unknown."""

    kind: str
    status: int | None = None
    detail: str = ""
    errors: list[FieldError] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.kind} ({self.status}): {self.detail}"


def _field_errors(body: Json) -> list[FieldError]:
    out = []
    for e in body.get("errors") or []:
        if not isinstance(e, dict):
            continue
        name = str(e.get("field") or e.get("path") or "")
        nl = str(e.get("message_nl") or e.get("message") or "")
        en = str(e.get("message_en") or e.get("message") or nl)
        out.append(FieldError(name.removeprefix("body."), nl or en, en))
    return out


def error_from_response(r: httpx.Response) -> ApiError:
    try:
        body = r.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    detail = str(body.get("detail") or body.get("title") or r.reason_phrase or "")
    s = r.status_code
    if s == 401:
        kind = "unauthorized"
    elif s == 403:
        kind = "forbidden"
    elif s in (404, 405) and detail in ("Not Found", "Method Not Allowed", ""):
        kind = "not_available"  # the route itself is missing on this server
    elif s == 404:
        kind = "not_found"
    elif s == 409 and "ingest seed" in detail:
        kind = "empty_graph"
    elif s == 409:
        kind = "conflict"
    elif s == 413:
        kind = "too_large"
    elif s in (400, 422):
        kind = "invalid"
    elif s == 429:
        kind = "rate_limited"
    elif s >= 500:
        kind = "server"
    else:
        kind = "unknown"
    return ApiError(kind, s, detail, _field_errors(body))


class ApiClient:
    """One user's connection to the API (base URL + optional bearer token)."""

    def __init__(self, base_url: str, token: str | None = None, *,
                 timeout: float = DEFAULT_TIMEOUT,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token or None
        self.timeout = timeout
        self._transport = transport

    # ------------------------------------------------------------------ plumbing
    def _headers(self) -> dict[str, str]:
        h = {"Accept": "application/json"}
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        return h

    def request(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                json: Any = None, files: Any = None, data: Any = None,
                timeout: float | None = None) -> httpx.Response:
        clean = {k: v for k, v in (params or {}).items() if v is not None and v != ""}
        try:
            with httpx.Client(base_url=self.base_url, headers=self._headers(),
                              timeout=timeout or self.timeout,
                              transport=self._transport) as c:
                r = c.request(method, path, params=clean, json=json, files=files, data=data)
        except httpx.TimeoutException as e:
            raise ApiError("timeout", None, str(e)) from e
        except (httpx.TransportError, httpx.InvalidURL) as e:
            raise ApiError("unreachable", None, str(e)) from e
        if r.status_code >= 400:
            raise error_from_response(r)
        return r

    def get(self, path: str, **params: Any) -> Any:
        return self._json(self.request("GET", path, params=params))

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        kw.setdefault("timeout", WRITE_TIMEOUT)
        return self._json(self.request("POST", path, json=body, **kw))

    @staticmethod
    def _json(r: httpx.Response) -> Any:
        if not r.content:
            return None
        try:
            return r.json()
        except ValueError as e:
            raise ApiError("server", r.status_code, "answer is not JSON") from e

    def all_pages(self, path: str, *, page: int = 200, max_items: int = 2000,
                  **params: Any) -> list[Json]:
        """Follow `{items, total, limit, offset}` pages up to `max_items`."""
        out: list[Json] = []
        offset = 0
        while len(out) < max_items:
            body = self.get(path, limit=page, offset=offset, **params)
            if isinstance(body, list):  # an endpoint that is not paginated
                return body[:max_items]
            items = list(body.get("items") or [])
            out.extend(items)
            offset += len(items)
            if not items or offset >= int(body.get("total") or 0):
                break
        return out[:max_items]

    # ------------------------------------------------------------------ meta
    def health(self) -> Json:
        """`/health` answers 503 with a body when Neo4j is down: that body is returned."""
        try:
            with httpx.Client(base_url=self.base_url, timeout=5,
                              transport=self._transport) as c:
                resp = c.get("/health")
        except httpx.TimeoutException as e:
            raise ApiError("timeout", None, str(e)) from e
        except (httpx.TransportError, httpx.InvalidURL) as e:
            raise ApiError("unreachable", None, str(e)) from e
        try:
            body = resp.json()
        except ValueError:
            body = {}
        return body if isinstance(body, dict) else {}

    def me(self) -> Json:
        return dict(self.get("/me"))

    # ------------------------------------------------------------------ reading
    def companies(self, **params: Any) -> Json:
        return dict(self.get("/companies", **params))

    def company(self, kvk: str) -> Json:
        return dict(self.get(f"/companies/{kvk}"))

    def clusters(self) -> list[Json]:
        return self.all_pages("/clusters", max_items=1000)

    # ------------------------------------------------------------------ trusted profile
    def visibility(self, kvk: str) -> Json:
        return dict(self.get(f"/companies/{kvk}/visibility"))

    def set_visibility(self, kvk: str, fields: dict[str, str]) -> Json:
        return dict(self._json(self.request("PATCH", f"/companies/{kvk}/visibility",
                                            json={"fields": fields},
                                            timeout=WRITE_TIMEOUT)))

    def declare_claim(self, kvk: str, kind: str, value: str | None,
                      expires_on: str | None) -> Json:
        body = {"value": value, "expires_on": expires_on}
        return dict(self._json(self.request("PUT", f"/companies/{kvk}/compliance/{kind}",
                                            json=body, timeout=WRITE_TIMEOUT)))

    def upload_evidence(self, kvk: str, kind: str, filename: str, content_type: str,
                        data: bytes) -> Json:
        with httpx.Client(base_url=self.base_url, headers={
                **self._headers(), "Content-Type": content_type},
                timeout=WRITE_TIMEOUT, transport=self._transport) as c:
            try:
                r = c.put(f"/companies/{kvk}/compliance/{kind}/evidence",
                          params={"filename": filename}, content=data)
            except httpx.TransportError as e:
                raise ApiError("unreachable", None, str(e)) from e
        if r.status_code >= 400:
            raise error_from_response(r)
        return dict(self._json(r))

    def set_defence_experience(self, kvk: str, value: str | None) -> Json:
        return dict(self._json(self.request("PUT", f"/companies/{kvk}/defence-experience",
                                            json={"defence_experience": value},
                                            timeout=WRITE_TIMEOUT)))

    def cluster(self, cluster_id: str) -> Json:
        return dict(self.get(f"/clusters/{cluster_id}"))

    def nld_areas(self) -> list[Json]:
        return list(self.get("/nld-areas"))

    def taxonomy(self) -> Json:
        return dict(self.get("/taxonomy/capabilities"))

    def neighbourhood(self, node_id: str, depth: int = 1, limit: int = 200) -> Json:
        return dict(self.get(f"/graph/neighbourhood/{node_id}", depth=depth, limit=limit))

    # ------------------------------------------------------------------ matching
    def search_nodes(self, text: str, limit: int = 20) -> list[Json]:
        """Public nodes whose name holds `text` (the explorer's start from any node)."""
        return list(self.get("/graph/search", q=text, limit=limit))

    def supply(self, kinds: list[str] | None = None, limit: int = 500) -> list[Json]:
        """Sites, facilities, institutions or programmes with their attributes (the map)."""
        return list(self._json(self.request("GET", "/supply", params={
            "kind": kinds or None, "limit": limit})))

    def match(self, question: str, *, top_k: int = 10, filters: Json | None = None,
              lang: str | None = None) -> Json:
        body: Json = {"question": question, "top_k": top_k, "filters": filters or {}}
        if lang:
            body["lang"] = lang
        return dict(self._json(self.request("POST", "/match", json=body,
                                            timeout=MATCH_TIMEOUT)))

    def registration_preview(self, description: str, capabilities: list[str]) -> Json:
        return dict(self.post("/registrations/preview",
                              {"description": description, "capabilities": capabilities}))

    def demand_questions(self, max_items: int = 2000) -> list[Json]:
        return self.all_pages("/demand-questions", max_items=max_items)

    # ------------------------------------------------------------------ shortlists / watchlists
    def create_shortlist(self, name: str, question: str | None = None) -> Json:
        return dict(self.post("/shortlists", {"name": name, "question": question}))

    def add_shortlist_item(self, shortlist_id: str, kvk: str, note: str = "") -> Any:
        return self.post(f"/shortlists/{shortlist_id}/items", {"kvk_number": kvk, "note": note})

    def create_watchlist(self, name: str, question: str, filters: Json | None = None) -> Json:
        return dict(self.post("/watchlists", {"name": name, "question": question,
                                              "filters": filters or {}}))

    def watchlists(self) -> list[Json]:
        return self.all_pages("/watchlists", max_items=500)

    def watchlist_new(self, watchlist_id: str, mark_seen: bool = False) -> Any:
        return self.get(f"/watchlists/{watchlist_id}/new", mark_seen=str(mark_seen).lower())

    # ------------------------------------------------------------------ registrations
    def submit_registration(self, profile: Json) -> Json:
        return dict(self.post("/registrations", profile))

    def registrations(self, status: str | None = None) -> list[Json]:
        return self.all_pages("/registrations", max_items=1000, status=status)

    def registration(self, reg_id: str) -> Json:
        return dict(self.get(f"/registrations/{reg_id}"))

    def approve(self, reg_id: str) -> Any:
        return self.post(f"/registrations/{reg_id}/approve", {})

    def reject(self, reg_id: str, reason: str) -> Any:
        return self.post(f"/registrations/{reg_id}/reject", {"reason": reason})

    # ------------------------------------------------------------------ loket
    def submit_loket(self, kind: str, title: str, text: str) -> Json:
        return dict(self.post("/loket", {"kind": kind, "title": title, "text": text}))

    def loket_items(self) -> list[Json]:
        return self.all_pages("/loket", max_items=1000)

    def loket_item(self, item_id: str) -> Json:
        return dict(self.get(f"/loket/{item_id}"))

    def triage(self, item_id: str, status: str, note: str) -> Any:
        return self.post(f"/loket/{item_id}/triage", {"status": status, "note": note})

    # ------------------------------------------------------------------ sign-up, desks
    def signup(self, kvk: str, company: str, email: str, contact: str) -> Json:
        return dict(self.post("/signup", {"kvk_number": kvk, "company_name": company,
                                          "email": email, "contact_name": contact}))

    def verify_signup(self, code: str) -> Json:
        """201: `token` and `user`; 202: `status` review (an admin decides)."""
        return dict(self.post("/signup/verify", {"code": code}))

    def desks(self) -> list[Json]:
        return list(self.get("/loket/desks"))

    def submit_loket_anonymous(self, kind: str, title: str, text: str, email: str,
                               kvk: str | None = None) -> Json:
        body = {"kind": kind, "title": title, "text": text, "contact_email": email}
        if kvk:
            body["kvk_number"] = kvk
        return dict(self.post("/loket", body))

    def confirm_loket(self, code: str) -> Json:
        return dict(self.post("/loket/confirm", {"code": code}))

    def desk_queue(self, desk: str, status: str | None = None) -> list[Json]:
        return self.all_pages(f"/loket/desks/{desk}/queue", max_items=1000, status=status)

    def refer(self, item_id: str, to_desk: str, from_desk: str | None, note: str) -> Json:
        return dict(self.post(f"/loket/{item_id}/refer", {
            "to_desk": to_desk, "from_desk": from_desk, "note": note or None}))
    # ------------------------------------------------------------------ monitor (issue 21)
    def patch(self, path: str, body: Any) -> Any:
        return self._json(self.request("PATCH", path, json=body, timeout=WRITE_TIMEOUT))

    def introduce(self, kvk: str, question_id: str | None, note: str | None = None,
                  defence_unit: str | None = None, kind: str = "company") -> Json:
        body = {"supply_kind": kind, "supply_key": kvk, "question_id": question_id,
                "defence_unit": defence_unit or None, "note": note or None}
        return dict(self.post("/introductions", body))

    def introductions(self, max_items: int = 1000) -> list[Json]:
        return self.all_pages("/introductions", max_items=max_items)

    def advance_introduction(self, intro_id: str, status: str | None,
                             note: str | None = None) -> Json:
        return dict(self.patch(f"/introductions/{intro_id}",
                               {"status": status, "note": note or None}))

    def agenda(self) -> list[Json]:
        return list(self.get("/agenda"))

    def set_agenda_status(self, ask_id: str, status: str, note: str | None = None) -> Json:
        return dict(self.patch(f"/agenda/{ask_id}", {"status": status, "note": note or None}))

    def gaps(self) -> Json:
        return dict(self.get("/gaps"))

    def kpis(self) -> Json:
        return dict(self.get("/kpis"))

    def kpis_csv(self) -> bytes:
        return self.request("GET", "/kpis", params={"format": "csv"}).content

    def prospects(self, *, question_id: str | None = None, nld_area: str | None = None
                  ) -> list[Json]:
        if question_id:
            return list(self.get(f"/prospects/question/{question_id}"))
        return list(self.get(f"/prospects/area/{nld_area}"))

    def set_scouting(self, kvk: str, status: str, note: str | None = None) -> Json:
        return dict(self.patch(f"/scouting/{kvk}", {"status": status, "note": note or None}))

    # ------------------------------------------------------------------ admin
    def users(self) -> list[Json]:
        return self.all_pages("/users", max_items=1000)

    def create_user(self, name: str, role: str, kvk: str | None = None) -> Json:
        return dict(self.post("/users", {"name": name, "role": role, "kvk_number": kvk or None}))

    def delete_user(self, user_id: str) -> Any:
        return self._json(self.request("DELETE", f"/users/{user_id}"))

    def start_import(self, filename: str, content: bytes, *, dry_run: bool = False,
                     mapping: bytes | None = None) -> Json:
        files: dict[str, Any] = {"file": (filename, content)}
        if mapping:
            files["mapping"] = ("mapping.yaml", mapping)
        r = self.request("POST", "/imports", files=files,
                         data={"dry_run": str(dry_run).lower()}, timeout=120)
        return dict(self._json(r))

    def import_status(self, import_id: str) -> Json:
        return dict(self.get(f"/imports/{import_id}"))

    def audit(self, entity: str | None = None, limit: int = 100, offset: int = 0) -> Any:
        return self.get("/audit", entity=entity, limit=limit, offset=offset)
