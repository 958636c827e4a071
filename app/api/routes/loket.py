"""The loket: companies bring an idea, an offer or a question for Defence. Each item is matched
in reverse by the same engine as `POST /match` — the encoder and the taxonomy find the concepts
it is about — and linked to the NLD areas, clusters and knowledge partners that fit, and to past
demand questions about the same concepts. The questions' words are shown only to roles that
read demand questions (`demand.DEMAND_READERS`); every reader, the company too, gets their themes
and NLD areas (`demand_summary`). Bizdev triages it:
`new → in_behandeling → doorverwezen | afgesloten`, each step with a note, author and time.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from neo4j import Driver, ManagedTransaction

from app.api import audit
from app.api.deps import (
    DriverDep,
    EncoderDep,
    MailerDep,
    OptionalUser,
    SettingsDep,
    client_address,
    require_roles,
)
from app.api.idempotency import IdempotencyKey, fingerprint, run_write
from app.api.list_models import (
    LoketAccepted,
    LoketCreate,
    LoketPublic,
    LoketStatus,
    LoketTriage,
)
from app.api.models import Page
from app.api.pages import Limit, Offset, read_page
from app.api.problems import ApiProblem, problem_responses
from app.api.routes.demand import DEMAND_READERS
from app.api.users import UserPublic
from app.services.desks import DeskService, route
from app.services.mail import Mailer
from app.services.signup import ThrottledError
from core.errors import ConflictError, NotFoundError
from core.settings import Settings
from graph.queries import desks as desks_q
from graph.queries import loket as loket_q
from graph.repositories.desks import DeskRepository
from matching.encoders.base import Encoder
from matching.matcher import Matcher, detect_lang
from ontology.taxonomy import Concept, Taxonomy, load_taxonomy

log = logging.getLogger(__name__)

router = APIRouter(prefix="/loket", tags=["loket"])

LoketReader = Annotated[UserPublic, Depends(require_roles("company", "bizdev", "admin"))]
Triager = Annotated[UserPublic, Depends(require_roles("bizdev", "admin"))]
ItemId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="Loket item id.")]

# Allowed status changes; anything else is a 409.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "in_behandeling": ("new", "doorverwezen"),  # a referred item is taken up by its new desk
    "doorverwezen": ("in_behandeling",),
    "afgesloten": ("in_behandeling",),
}

# Reverse-match weights: a concept the node holds itself counts fully, a narrower one a bit
# less, a broader one less again; a shared NLD area adds a little.
W_NARROWER = 0.8
W_BROADER = 0.4
W_AREA = 0.25
W_ECOSYSTEM = 0.3
TOP = 10


def _concept_weights(taxonomy: Taxonomy, concepts: dict[str, float]) -> dict[str, float]:
    """The found concepts plus their narrower ones and their direct broader ones, weighted."""
    out: dict[str, float] = {}

    def put(cid: str, w: float) -> None:
        out[cid] = max(out.get(cid, 0.0), w)

    for cid, w in concepts.items():
        put(cid, w)
        for n in taxonomy.narrower_closure(cid):
            put(n, w * W_NARROWER)
        for b in taxonomy.capabilities[cid].broader:
            put(b, w * W_BROADER)
    return out


def _ranked(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    items = [i for i in items if i["score"] > 0]
    items.sort(key=lambda i: (-i["score"], i["id"]))
    for i in items:
        i["score"] = round(i["score"], 4)
    return items[:TOP]


def reverse_match(driver: Driver, encoder: Encoder, settings: Settings, text: str
                  ) -> tuple[dict[str, Any], str]:
    """Concepts, NLD areas, clusters, knowledge partners and past demand questions for a text;
    and its language."""
    taxonomy = load_taxonomy()
    matcher = Matcher(driver, encoder, taxonomy, settings.match)
    vector = encoder.encode_queries([matcher.expanded(text)])[0]
    found = matcher.question_concepts(text, vector)
    weights = {c.id: c.weight for c in found}
    caps = _concept_weights(taxonomy, weights)

    area_w: dict[str, float] = {}
    area_via: dict[str, list[str]] = {}
    for c in found:
        for a in taxonomy.areas_of(c.id):
            area_w[a] = area_w.get(a, 0.0) + c.weight
            area_via.setdefault(a, []).append(f"capability:{c.id}")
    for h in taxonomy.find_in_text(text, kinds=("nld",)):
        area_w[h.concept.id] = area_w.get(h.concept.id, 0.0) + 1.0
        area_via.setdefault(h.concept.id, []).append("named")
    top_area = max(area_w.values(), default=1.0)
    area_n = {a: w / top_area for a, w in area_w.items()}
    areas = _ranked([{"id": a, "name": taxonomy.nld_areas[a].label("nl")
                      if a in taxonomy.nld_areas else a, "kind": "nld-area",
                      "score": area_n[a], "via": sorted(set(area_via[a]))} for a in area_w])

    params = {"capabilities": sorted(caps), "areas": sorted(area_w)}
    rows, _, _ = driver.execute_query(loket_q.LOKET_RELATED_CLUSTERS, params, routing_="r")
    clusters = _ranked([{
        "id": r["id"], "name": r["name"], "kind": r["kind"],
        "score": sum(caps[k] for k in r["caps"]) + W_AREA * sum(area_n[a] for a in r["areas"]),
        "via": [f"capability:{k}" for k in r["caps"]] + [f"nld:{a}" for a in r["areas"]],
    } for r in rows])

    rows, _, _ = driver.execute_query(loket_q.LOKET_RELATED_INSTITUTIONS, params,
                                      clusters=[c["id"] for c in clusters], routing_="r")
    partners = _ranked([{
        "id": r["id"], "name": r["name"], "kind": r["kind"],
        "score": sum(caps[k] for k in r["caps"]) + W_ECOSYSTEM * len(r["ecosystems"]),
        "via": [f"capability:{k}" for k in r["caps"]]
        + [f"ecosystem:{e}" for e in r["ecosystems"]],
    } for r in rows])

    rows, _, _ = driver.execute_query(loket_q.LOKET_RELATED_DEMAND, params, limit=500,
                                      routing_="r")
    demand = []
    for r in rows:
        shared = sorted(k for k in r["concepts"] if k in caps)
        score = sum(caps[k] for k in shared) / max(1, len(r["concepts"])) \
            + 0.1 * len(set(r["areas"] or []) & set(area_w))
        demand.append({"id": r["id"], "question": r["question"], "lang": r["lang"],
                       "created_at": r["created_at"], "score": score,
                       "shared_concepts": shared, "nld_areas": sorted(r["areas"] or [])})
    concepts = [{"id": c.id, "label_nl": taxonomy.capabilities[c.id].label("nl"),
                 "label_en": taxonomy.capabilities[c.id].label("en"), "via": c.via,
                 "weight": c.weight} for c in sorted(found, key=lambda c: -c.weight)]
    matches = {"concepts": concepts, "nld_areas": areas, "clusters": clusters,
               "knowledge_partners": partners, "demand_questions": _ranked(demand)}
    return matches, detect_lang(text)


def demand_summary(demand: list[dict[str, Any]], taxonomy: Taxonomy
                   ) -> dict[str, list[dict[str, Any]]]:
    """The themes (shared capability concepts) and NLD areas of matched past demand questions,
    most frequent first: what anyone may learn of Defence's demand, without anyone's words,
    times or names."""
    themes: Counter[str] = Counter()
    areas: Counter[str] = Counter()
    for d in demand:
        themes.update(set(d.get("shared_concepts") or []))
        areas.update(set(d.get("nld_areas") or []))

    def label(concepts: dict[str, Concept], cid: str, lang: str) -> str | None:
        return concepts[cid].label(lang) if cid in concepts else None

    caps, nld = taxonomy.capabilities, taxonomy.nld_areas
    return {
        "demand_themes": [{"id": k, "label_nl": label(caps, k, "nl"),
                           "label_en": label(caps, k, "en")}
                          for k, _ in sorted(themes.items(), key=lambda kv: (-kv[1], kv[0]))
                          ][:20],
        "demand_areas": [{"id": a, "name_nl": label(nld, a, "nl"), "name_en": label(nld, a, "en")}
                         for a, _ in sorted(areas.items(), key=lambda kv: (-kv[1], kv[0]))][:10],
    }


def _public(r: Any, user: UserPublic) -> dict[str, Any]:
    """The item as `user` may see it: the matched questions' words only for demand readers."""
    d = dict(r)
    matches = json.loads(d["matches"]) if d.get("matches") else {
        "concepts": [], "nld_areas": [], "clusters": [], "knowledge_partners": [],
        "demand_questions": []}
    matches.update(demand_summary(matches.get("demand_questions") or [], load_taxonomy()))
    if user.role not in DEMAND_READERS:
        matches["demand_questions"] = []
    d["matches"] = matches
    d["notes"] = [json.loads(n) for n in d["notes"]]
    return d


def _visible(item: dict[str, Any], user: UserPublic) -> bool:
    if not item.get("confirmed", True):  # sent without an account, address not confirmed
        return False
    return user.role != "company" or (item["kvk_number"] is not None
                                      and item["kvk_number"] == user.kvk_number)


def _load(driver: Driver, item_id: str, user: UserPublic) -> dict[str, Any]:
    rows, _, _ = driver.execute_query(loket_q.LOKET_GET, id=item_id, routing_="r")
    if not rows or not _visible(dict(rows[0]), user):
        raise NotFoundError(f"No loket item {item_id}.")
    item = _public(rows[0], user)
    item["routed_to"] = DeskRepository(driver).routes(item_id)
    return item


# 404: a retry with the Idempotency-Key of an item that was erased since (with its company).
@router.post("", response_model=LoketPublic, status_code=201,
             responses={202: {"model": LoketAccepted,
                              "description": "Sent without a token: routed, waiting for the "
                                             "sender to confirm the e-mail address"},
                        **problem_responses(404, 429)})
def submit(body: LoketCreate, user: OptionalUser, driver: DriverDep, settings: SettingsDep,
           encoder: EncoderDep, mailer: MailerDep, request: Request,
           background: BackgroundTasks, idempotency_key: IdempotencyKey = None) -> Any:
    """A company's idea (`idee`), offer (`aanbod`) or question (`vraag`) for Defence. Without a
    token anyone may send one with `contact_email` (202): it is routed to the desks at once
    (`routed_to`, with reasons), but a desk sees it only after the address is confirmed with
    the mailed link (`POST /loket/confirm`)."""
    if user is None:
        return _submit_anonymous(body, driver, settings, encoder, mailer, request, background)
    if user.role not in ("company", "admin"):
        raise ApiProblem(403, f"Role '{user.role}' may not do this; needs one of: admin, "
                              "company.")
    if user.role == "company":
        if body.kvk_number is not None and body.kvk_number != user.kvk_number:
            raise ApiProblem(403, "A company submits to the loket only for its own KvK number.")
        kvk = user.kvk_number
    else:
        kvk = body.kvk_number
    fp = fingerprint("POST", request.url.path, body.model_dump())
    matches, lang = reverse_match(driver, encoder, settings, f"{body.title}. {body.text}")
    item_id = uuid.uuid4().hex
    desks = DeskService(DeskRepository(driver), mailer, settings)
    routes = route(desks.desks(), encoder, f"{body.title}. {body.text}")

    def work(tx: ManagedTransaction) -> dict[str, Any]:
        tx.run(loket_q.LOKET_CREATE, id=item_id, kind=body.kind, title=body.title,
               text=body.text, kvk=kvk, actor=user.id, lang=lang,
               matches=json.dumps(matches, ensure_ascii=False),
               concepts=[c["id"] for c in matches["concepts"]]).consume()
        tx.run(desks_q.LOKET_ROUTE, id=item_id, routes=routes, by="routing").consume()
        audit.record(tx, user, "loket.submit", "loket", item_id, None,
                     {**body.model_dump(exclude={"contact_email"}), "kvk_number": kvk,
                      "status": "new", "routed_to": [r["desk"] for r in routes]},
                     kvk_number=kvk)
        return {"id": item_id}

    done = run_write(driver, user, idempotency_key, fp, 201, work)
    log.info("loket item %s (%s) by %s: %d concepts", done.body["id"], body.kind, user.id,
             len(matches["concepts"]))
    if not done.replayed:
        for r in routes:
            mail_id = desks.notify_desk(r["desk"], item_id, body.title, r["reason"],
                                        r["reason_en"])
            if mail_id:
                background.add_task(mailer.deliver, mail_id)
    return _load(driver, str(done.body["id"]), user)


def _submit_anonymous(body: LoketCreate, driver: Driver, settings: Settings, encoder: Encoder,
                      mailer: Mailer, request: Request, background: BackgroundTasks) -> Any:
    if body.contact_email is None:
        raise ApiProblem(422, "Without a token, give contact_email (we mail you a link to "
                              "confirm it) / zonder sleutel is contact_email nodig (u krijgt "
                              "een link om het te bevestigen).", errors=[{
                                  "field": "contact_email", "message": "required without a "
                                  "token / verplicht zonder sleutel"}])
    text = f"{body.title}. {body.text}"
    matches, lang = reverse_match(driver, encoder, settings, text)
    svc = DeskService(DeskRepository(driver), mailer, settings)
    try:
        answer, mail_id = svc.submit_anonymous(
            title=body.title, text=body.text, contact_email=body.contact_email, kind=body.kind,
            kvk_number=body.kvk_number, client=client_address(request), encoder=encoder,
            matches=matches, lang=lang)
    except ThrottledError as e:
        raise ApiProblem(429, str(e), headers={"Retry-After": str(e.retry_after)}) from e
    background.add_task(mailer.deliver, mail_id)
    return JSONResponse(status_code=202, content=LoketAccepted.model_validate(answer)
                        .model_dump(mode="json"))


@router.get("", response_model=Page[LoketPublic])
def list_items(user: LoketReader, driver: DriverDep, limit: Limit = 50, offset: Offset = 0,
               status: Annotated[LoketStatus | None, Query()] = None) -> Any:
    """Bizdev and admins see every item, a company only its own; newest first."""
    kvk = user.kvk_number if user.role == "company" else None
    if user.role == "company" and kvk is None:  # cannot happen: company users hold a KvK
        raise ApiProblem(403, "This company user is not bound to a KvK number.")
    params = {"kvk": kvk, "status": status}
    return read_page(driver, loket_q.LOKET_COUNT, loket_q.LOKET_LIST, params, limit, offset,
                     lambda rows: [_public(r, user) for r in rows])


@router.get("/{item_id}", response_model=LoketPublic)
def get_item(item_id: ItemId, user: LoketReader, driver: DriverDep) -> Any:
    """One item with its status, triage notes and reverse matches."""
    return _load(driver, item_id, user)


@router.post("/{item_id}/triage", response_model=LoketPublic)
def triage(item_id: ItemId, body: LoketTriage, user: Triager, driver: DriverDep,
           request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Move the item one step (`new → in_behandeling → doorverwezen | afgesloten`) with a note;
    any other step is a 409."""
    allowed = TRANSITIONS[body.status]
    fp = fingerprint("POST", request.url.path, body.model_dump())

    def work(tx: ManagedTransaction) -> dict[str, Any]:
        # Lock, then read: two triagers cannot both make the same step.
        cur = tx.run(loket_q.LOKET_LOCK_STATUS, id=item_id).single()
        if cur is None:
            raise NotFoundError(f"No loket item {item_id}.")
        before = cur["status"]
        note = {"status": body.status, "from_status": before, "note": body.note,
                "author_id": user.id, "author_role": user.role,
                "at": datetime.now(UTC).isoformat()}
        rec = tx.run(loket_q.LOKET_TRIAGE, {"id": item_id, "status": body.status,
                                            "from": list(allowed),
                                            "note": json.dumps(note, ensure_ascii=False)}
                     ).single()
        if rec is None:
            raise ConflictError(f"A loket item with status '{before}' cannot become "
                                f"'{body.status}' (allowed from: {', '.join(allowed)}).")
        audit.record(tx, user, "loket.triage", "loket", item_id, {"status": before},
                     {"status": body.status, "note": body.note})
        return {"id": item_id}

    run_write(driver, user, idempotency_key, fp, 200, work)
    return _load(driver, item_id, user)
