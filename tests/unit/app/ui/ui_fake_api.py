"""A tiny real HTTP server that answers like the Paraat API (shapes from docs/api.md and
app/api/models.py), for the UI's AppTest unit tests. `empty=True` answers like an API on an
empty graph; `missing` lists path prefixes that answer 404 as if the route did not exist."""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

XSS = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
TOKENS: dict[str, dict[str, Any]] = {
    "pa_admin": {"id": "u-admin", "name": "Beheerder", "role": "admin", "kvk_number": None},
    "pa_bizdev": {"id": "u-bizdev", "name": "Bizdev", "role": "bizdev", "kvk_number": None},
    "pa_scout": {"id": "u-scout", "name": "Scout", "role": "scout", "kvk_number": None},
    "pa_company": {"id": "u-company", "name": "Bedrijf", "role": "company",
                   "kvk_number": "12345678"},
}
AREAS = [{"id": "slimme-materialen", "name_nl": "Slimme materialen",
          "name_en": "Smart materials", "capabilities": 3, "clusters": 1, "companies": 1},
         {"id": "sensoren", "name_nl": "Sensoren", "name_en": "Sensors", "capabilities": 2,
          "clusters": 1, "companies": 1}]
CLUSTERS = [{"id": "cluster-groene-chemie", "name": "Cluster Groene Chemie", "kind": "cluster",
             "members": 2, "ecosystems": 1, "nld_areas": ["slimme-materialen"]},
            {"id": "sensorcluster", "name": "Sensorcluster", "kind": "cluster", "members": 1,
             "ecosystems": 0, "nld_areas": ["sensoren"]}]
TAXONOMY = {"version": "test", "nld_areas": [], "capabilities": [
    {"id": "ballistic-protection", "label_nl": "ballistische bescherming",
     "label_en": "ballistic protection", "alt_nl": [], "alt_en": [], "nld_areas":
         ["slimme-materialen"], "narrower": [
             {"id": "vehicle-armour", "label_nl": "voertuigbepantsering",
              "label_en": "vehicle armour", "alt_nl": [], "alt_en": [],
              "nld_areas": ["slimme-materialen"], "narrower": []}]},
    {"id": "night-vision", "label_nl": "nachtzicht", "label_en": "night vision",
     "alt_nl": [], "alt_en": [], "nld_areas": ["sensoren"], "narrower": []}]}
HIT_TEIJIN: dict[str, Any] = {
    "rank": 1, "kvk_number": "99000001", "name": "Teijin Aramid", "score": 0.91,
    "municipality": "emmen", "website": "teijinaramid.com", "employees": None,
    "kvk_status": "placeholder", "synthetic": False, "last_verified": None,
    "explanation": {
        "concepts": [{"id": "ballistic-protection", "label": "ballistische bescherming",
                      "via": "direct", "held": "ballistic-protection",
                      "held_label": "ballistische bescherming"}],
        "graph_paths": ['vraag → "ballistische bescherming" → Teijin Aramid via '
                        'HAS_CAPABILITY (declared)'],
        "lexical_terms": ["ballistische"],
        "phrases": [{"text": "Belangrijk voor de ballistische bescherming van militairen.",
                     "highlights": [[19, 43, "ballistic-protection"]]}],
        "scores": {"final": 0.91, "dense": 0.8, "bm25": 0.7, "graph": 1.0},
        "stale": True, "verified": False}}
HIT_XSS: dict[str, Any] = {
    **HIT_TEIJIN, "rank": 2, "kvk_number": "12345678", "name": f"Evil {XSS} BV",
           "score": 0.5, "kvk_status": None, "explanation": {
               **HIT_TEIJIN["explanation"], "phrases": [{"text": f"We make {XSS} armour",
                                                         "highlights": [[8, 16, "x"]]}]}}


DEMAND_THEME = {"id": "ballistic-protection", "label_nl": "ballistische bescherming",
                "label_en": "ballistic protection"}
DEMAND_AREA = {"id": "slimme-materialen", "name_nl": "Slimme materialen",
               "name_en": "Smart materials"}


DESKS = [{"id": "founded", "name_nl": "Founded", "name_en": "Founded",
          "description_nl": "Start-ups en scale-ups", "description_en": "Start-ups and scale-ups",
          "email": None},
         {"id": "nom-bdd", "name_nl": "NOM – Business Developer Defensie",
          "name_en": "NOM – Business Developer Defence", "description_nl": "Opdrachten",
          "description_en": "Contracts", "email": None}]
ROUTE = {"desk": "founded", "name_nl": "Founded", "name_en": "Founded",
         "reason": "start-up of scale-up (genoemd: 'start-up')",
         "reason_en": "start-up or scale-up (mentioned: 'start-up')", "via": "rule",
         "active": True}
QUEUE_ITEM = {"id": "d" * 32, "desk": "founded", "kind": "vraag", "title": f"Drones {XSS}",
              "text": "Wij zijn een start-up", "kvk_number": None, "status": "new",
              "contact_email": "a@b.nl", "confirmed_at": "2026-12-06T10:00:00Z",
              "reason": ROUTE["reason"], "notes": [], "routes": [ROUTE]}


def loket_for(item: dict[str, Any], user: dict[str, Any] | None) -> dict[str, Any]:
    """A loket item as the API shows it to `user`: a company never gets demand questions."""
    if user is None or user["role"] in ("bizdev", "scout", "admin"):
        return item
    return {**item, "matches": {**item["matches"], "demand_questions": []}}


class FakeApi:
    def __init__(self, *, empty: bool = False, missing: tuple[str, ...] = ()) -> None:
        self.empty = empty
        self.missing = missing
        self.calls: list[tuple[str, str, Any]] = []
        self.registrations: list[dict[str, Any]] = []
        self.loket: list[dict[str, Any]] = []
        self.watchlists: list[dict[str, Any]] = []
        self.signups: list[dict[str, Any]] = []
        self.anonymous: list[dict[str, Any]] = []
        self.referrals: list[dict[str, Any]] = []
        self.queue: list[dict[str, Any]] = [] if empty else [QUEUE_ITEM]
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    # ------------------------------------------------------------------ routing
    def handle(self, method: str, path: str, query: dict[str, str], body: Any,
               token: str | None) -> tuple[int, Any]:
        self.calls.append((method, path, body))
        if any(path.startswith(p) for p in self.missing):
            return 404, {"status": 404, "title": "Not found", "detail": "Not Found"}
        user = TOKENS.get(token or "")
        if token and user is None:
            return 401, {"status": 401, "detail": "Unknown or revoked token."}
        page = lambda items: {"items": items, "total": len(items), "limit": 200,  # noqa: E731
                              "offset": 0}
        if path == "/health":
            return 200, {"status": "ok", "neo4j": {"ok": True, "version": "5.26.0"}}
        if path == "/me":
            return (200, user) if user else (401, {"detail": "needs a token"})
        if path == "/nld-areas":
            return 200, [] if self.empty else AREAS
        if path == "/clusters":
            return 200, page([] if self.empty else CLUSTERS)
        if m := re.fullmatch(r"/clusters/([\w-]+)", path):
            if self.empty:
                return 404, {"detail": f"No cluster with id {m[1]!r}."}
            return 200, {"id": m[1], "name": "Cluster Groene Chemie", "kind": "cluster",
                         "description_nl": "Groene chemie in Emmen.",
                         "description_en": "Green chemistry in Emmen.", "source": "agenda",
                         "members": [{"kvk_number": "99000001", "name": "Teijin Aramid"}],
                         "ecosystems": [{"id": "getec-park", "name": "GETEC-park"}],
                         "nld_areas": [AREAS[0]], "capabilities": [
                             {"id": "aramid-fibres", "label_nl": "aramidevezels",
                              "label_en": "aramid fibres"}]}
        if path == "/taxonomy/capabilities":
            return 200, TAXONOMY
        if m := re.fullmatch(r"/graph/neighbourhood/(.+)", path):
            return self.neighbourhood(m[1])
        if m := re.fullmatch(r"/companies/(\d{8})", path):
            if self.empty or m[1] != "99000001":
                return 404, {"detail": f"No company with KvK number {m[1]}."}
            return 200, {"kvk_number": m[1], "name": "Teijin Aramid", "description": "x",
                         "declared_capabilities": [], "inferred_capabilities": [],
                         "clusters": [], "ecosystems": [], "nld_areas": [],
                         "provenance": {"stale": True, "stale_after_days": 365}}
        if path == "/match" and method == "POST":
            if user is None:
                return 401, {"detail": "needs a token"}
            if self.empty:
                return 409, {"detail": "The graph holds no companies; run `paraat ingest "
                                       "seed` first."}
            return 200, {"question": body["question"], "lang": "nl", "mode": "hybrid",
                         "concepts": [{"id": "ballistic-protection",
                                       "label": "ballistische bescherming", "via": "label"}],
                         "hits": [HIT_TEIJIN, HIT_XSS], "timings_ms": {},
                         "demand_question_id": "q1"}
        if path == "/demand-questions":
            if self.empty:
                return 200, page([])
            return 200, page([
                {"id": "q1", "text": "ballistische bescherming", "language": "nl",
                 "created_at": "2026-11-02T10:00:00Z", "concepts": [{"id": "ballistic-protection"}],
                 "nld_areas": ["slimme-materialen"]},
                {"id": "q2", "text": "night vision", "language": "en",
                 "created_at": "2026-11-20T10:00:00Z", "concepts": [{"id": "night-vision"}],
                 "nld_areas": ["sensoren"]}])
        if path == "/registrations/preview" and method == "POST":
            # themes and NLD areas of matching demand, never the questions (docs/security.md)
            text = (body or {}).get("description", "").lower()
            found = not self.empty and "ballist" in text
            return 200, {"concepts": [], "nld_areas": [],
                         "demand_themes": [DEMAND_THEME] if found else [],
                         "demand_areas": [DEMAND_AREA] if found else []}
        if path == "/registrations":
            return self.registrations_route(method, body, user)
        if m := re.fullmatch(r"/registrations/(\w+)(/approve|/reject)?", path):
            reg = next((r for r in self.registrations if r["id"] == m[1]), None)
            if reg is None:
                return 404, {"detail": "No registration."}
            if m[2]:
                reg["status"] = "approved" if m[2] == "/approve" else "rejected"
                reg["decision_note"] = (body or {}).get("reason")
            return 200, reg
        if path.startswith(("/signup", "/loket/desks", "/loket/confirm")) or (
                path == "/loket" and method == "POST" and user is None) or path.endswith(
                "/refer"):
            return self.desk_route(method, path, body)
        if path == "/loket":
            if method == "POST":
                item = {"id": uuid.uuid4().hex, "status": "new", **body,
                        "kvk_number": user["kvk_number"] if user else None,
                        "matches": {"nld_areas": [AREAS[0]], "clusters": [CLUSTERS[0]],
                                            "knowledge_partners": [{"id": "rug", "name":
                                                                    "Rijksuniversiteit"}],
                                            "demand_questions": [{"id": "q1", "question": "x"}],
                                            "demand_themes": [DEMAND_THEME],
                                            "demand_areas": [DEMAND_AREA]}}
                self.loket.append(item)
                return 201, loket_for(item, user)
            return 200, page([loket_for(i, user) for i in self.loket])
        if m := re.fullmatch(r"/loket/(\w+)(/triage)?", path):
            found: dict[str, Any] | None = next(
                (i for i in self.loket if i["id"] == m[1]), None)
            if found is None:
                return 404, {"detail": "No item."}
            if m[2]:
                found["status"] = body["status"]
            return 200, loket_for(found, user)
        if path == "/watchlists":
            if method == "POST":
                w = {"id": uuid.uuid4().hex, **body}
                self.watchlists.append(w)
                return 201, w
            return 200, page(self.watchlists)
        if m := re.fullmatch(r"/watchlists/(\w+)/new", path):
            return 200, {"items": [{"kvk_number": "99000001", "name": "Teijin Aramid",
                                    "reason": "new"}]}
        if path == "/users":
            if user is None or user["role"] != "admin":
                return 403, {"detail": "admin only"}
            return 200, page([{"id": v["id"], "name": v["name"], "role": v["role"],
                               "revoked": False} for v in TOKENS.values()])
        if path == "/imports" and method == "POST":
            return 202, {"id": "a" * 32, "file": "x.csv", "status": "running",
                         "dry_run": True, "processed": 1, "total": 4, "rejections": []}
        if path == "/imports/" + "a" * 32:
            return 200, {"id": "a" * 32, "file": "x.csv", "status": "done", "dry_run": True,
                         "processed": 4, "total": 4, "summary": {"rows": 4, "rejected": 1},
                         "rejections": [{"row": 3, "field": "kvk_number",
                                         "reason_nl": "8 cijfers", "reason_en": "8 digits",
                                         "value": "12"}]}
        if path == "/audit":
            return 200, page([] if self.empty else [
                {"id": "a1", "at": "2026-11-28T10:00:00Z", "actor_id": "u-admin",
                 "actor_role": "admin", "action": "approve", "entity": "registration",
                 "entity_id": "r1", "before": None, "after": {"status": "approved"}}])
        return 404, {"status": 404, "detail": "Not Found"}

    def desk_route(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        """Sign-up, the loket without an account, desks and their queues (issue 20)."""
        if path == "/signup":
            self.signups.append(body)
            return 202, {"status": "mailed", "detail": "check your mail"}
        if path == "/signup/verify":
            if body["code"].startswith("review"):
                return 202, {"status": "review", "request_id": "r" * 32, "detail": "review"}
            if body["code"].startswith("used"):
                return 409, {"status": 409, "title": "Conflict", "detail": "already used"}
            return 201, {"token": "pa_company", "user": TOKENS["pa_company"],
                         "kvk_number": "12345678", "detail": "shown once"}
        if path == "/loket/desks":
            return 200, DESKS
        if path == "/loket":
            item = {"id": uuid.uuid4().hex, "status": "awaiting_confirmation",
                    "routed_to": [ROUTE], "detail": "confirm"}
            self.anonymous.append({**body, **item})
            return 202, item
        if path == "/loket/confirm":
            return 200, {"id": "c" * 32, "status": "confirmed", "routed_to": [ROUTE]}
        if m := re.fullmatch(r"/loket/desks/([\w-]+)/queue", path):
            items = [i for i in self.queue if i["desk"] == m[1]]
            return 200, {"items": items, "total": len(items), "limit": 200, "offset": 0}
        if m := re.fullmatch(r"/loket/(\w+)/refer", path):
            for i in self.queue:
                if i["id"] == m[1]:
                    i["desk"], i["status"] = body["to_desk"], "doorverwezen"
            self.referrals.append({"id": m[1], **body})
            return 200, {"id": m[1], "status": "doorverwezen", "routed_to": [ROUTE]}
        return 404, {"status": 404, "detail": "Not Found"}

    def registrations_route(self, method: str, body: Any, user: dict[str, Any] | None
                            ) -> tuple[int, Any]:
        if user is None:
            return 401, {"detail": "needs a token"}
        if method == "POST":
            errors = []
            if not body.get("name"):
                errors.append({"field": "name", "message": "A name is required.",
                               "message_nl": "Een naam is verplicht.",
                               "message_en": "A name is required."})
            if not re.fullmatch(r"\d{8}", body.get("kvk_number") or ""):
                errors.append({"field": "kvk_number", "message": "8 digits",
                               "message_nl": "Het KvK-nummer heeft 8 cijfers.",
                               "message_en": "The KvK number has 8 digits."})
            if errors:
                return 422, {"status": 422, "detail": "invalid", "errors": errors}
            reg = {"id": uuid.uuid4().hex, "kvk_number": body["kvk_number"], "kind": "new",
                   "status": "pending", "submitted_by": user["id"],
                   "submitted_at": "2026-11-28T10:00:00Z", "profile": body,
                   "diff": [{"field": k, "before": None, "after": v} for k, v in body.items()
                            if v not in (None, [], "")]}
            self.registrations.append(reg)
            return 201, reg
        return 200, {"items": self.registrations, "total": len(self.registrations),
                     "limit": 200, "offset": 0}

    def neighbourhood(self, node: str) -> tuple[int, Any]:
        if self.empty:
            return 404, {"detail": f"No node with id {node!r}."}
        if node == "emmen":
            return 200, {"center": node, "depth": 2, "truncated": False, "nodes": [
                {"id": "emmen", "label": "Municipality", "name": "Emmen", "depth": 0},
                {"id": "99000001", "label": "Company", "name": "Teijin Aramid", "depth": 1},
                {"id": "vehicle-armour", "label": "Capability", "name": "vehicle armour",
                 "depth": 2}], "edges": [
                {"source": "99000001", "target": "emmen", "type": "LOCATED_IN"},
                {"source": "99000001", "target": "vehicle-armour", "type": "HAS_CAPABILITY"}]}
        if node in ("cluster-groene-chemie", "sensorcluster"):
            return 200, {"center": node, "depth": 1, "truncated": False, "nodes": [
                {"id": node, "label": "Cluster", "name": node, "depth": 0},
                {"id": "99000001", "label": "Company", "name": "Teijin Aramid", "depth": 1},
                {"id": "slimme-materialen", "label": "NLDArea", "name": "Slimme materialen",
                 "depth": 1}], "edges": [
                {"source": "99000001", "target": node, "type": "MEMBER_OF"},
                {"source": node, "target": "slimme-materialen", "type": "RELEVANT_TO"}]}
        if node == "99000001":
            return 200, {"center": node, "depth": 1, "truncated": False, "nodes": [
                {"id": node, "label": "Company", "name": "Teijin Aramid", "depth": 0},
                {"id": "getec-park", "label": "Ecosystem", "name": "GETEC-park", "depth": 1}],
                "edges": [{"source": node, "target": "getec-park", "type": "MEMBER_OF"}]}
        return 404, {"detail": f"No node with id {node!r}."}


@contextmanager
def serve(api: FakeApi) -> Iterator[FakeApi]:
    class Handler(BaseHTTPRequestHandler):
        def _go(self, method: str) -> None:
            u = urlparse(self.path)
            q = {k: v[0] for k, v in parse_qs(u.query).items()}
            n = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(n) if n else b""
            body: Any = None
            if raw and "json" in (self.headers.get("Content-Type") or ""):
                body = json.loads(raw)
            auth = self.headers.get("Authorization") or ""
            token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
            status, out = api.handle(method, u.path, q, body, token)
            data = json.dumps(out).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if status < 400
                             else "application/problem+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802
            self._go("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._go("POST")

        def do_DELETE(self) -> None:  # noqa: N802
            self._go("DELETE")

        def log_message(self, *args: Any) -> None:
            pass

    api.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=api.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        api.server.shutdown()
        api.server.server_close()
