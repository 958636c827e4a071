"""The loket without an account and its desks, against the real API, Neo4j, encoder and SMTP
server: routing with reasons, the e-mail confirmation before a desk sees anything, desk
queues, a referral that moves the item and is audited, bad input and floods."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from neo4j import Driver

from app.services.desks import route, rule_routes
from graph.schema import EmbeddingSpec, apply_schema, clear_graph
from ingest.seed import desk_rows
from matching.encoders.base import Encoder
from tests.conftest import Neo4jTarget, SmtpInbox, mail_text
from tests.integration.api_helpers import assert_problem, auth
from tests.integration.app.api.signup_helpers import code_from, count, mail_app

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SENDER = "ondernemer@start.example.nl"
STARTUP = {"title": "Start-up met drones zoekt contact",
           "text": "Wij zijn een start-up uit Emmen die drones voor inspectie bouwt en willen "
                   "weten hoe we met Defensie in gesprek komen.",
           "contact_email": SENDER}


@pytest.fixture
def graph(session_driver: Driver, encoder: Encoder) -> Driver:
    clear_graph(session_driver)
    apply_schema(session_driver, EmbeddingSpec(encoder.name, encoder.dimension))
    return session_driver


def app_for(graph: Driver, target: Neo4jTarget, smtp: SmtpInbox, encoder: Encoder,
            **api: int) -> FastAPI:
    app = mail_app(target, graph, smtp, **api)
    app.state.encoder = encoder
    return app


@pytest.fixture
def client(graph: Driver, neo4j_target: Neo4jTarget, smtp: SmtpInbox,
           encoder: Encoder) -> Iterator[TestClient]:
    with TestClient(app_for(graph, neo4j_target, smtp, encoder)) as c:
        yield c


def test_rules_say_why() -> None:
    assert [r["desk"] for r in rule_routes("Wij zijn een startup in sensoren")] == ["founded"]
    edu = rule_routes("Kunnen onze monteurs een opleiding volgen voor defensiematerieel?")
    assert [r["desk"] for r in edu] == ["veiligheidscampus"] and "'opleiding'" in edu[0]["reason"]
    assert rule_routes("We are a scale-up looking for a training course")[0]["desk"] == "founded"
    assert rule_routes("Hoe schrijf ik in op een aanbesteding?")[0]["desk"] == "nom-bdd"


def test_content_routing_always_names_the_closest_desk(encoder: Encoder) -> None:
    desks = desk_rows()
    routes = route(desks, encoder, "Wij willen graag een cursus crisissimulatie volgen.")
    assert routes[0]["desk"] == "veiligheidscampus"
    assert all(r["reason"] and r["reason_en"] for r in routes)
    plain = route(desks, encoder, "Wij maken composiet panelen en zoeken afnemers.")
    assert plain and plain[0]["via"] == "content" and "overeenkomst" in plain[0]["reason"]


def test_desks_are_public_without_their_addresses(client: TestClient, graph: Driver) -> None:
    r = client.get("/loket/desks")
    assert r.status_code == 200
    ids = {d["id"] for d in r.json()}
    assert {"ibdo", "nom-bdd", "mindbase-noord", "founded", "regioteam-noord",
            "veiligheidscampus", "brancheorganisaties"} == ids
    assert all(d["email"] is None and d["description_nl"] and d["name_en"] for d in r.json())
    admin = auth(graph, "admin")
    assert all(d["email"] for d in client.get("/loket/desks", headers=admin).json())
    r = client.patch("/loket/desks/ibdo", headers=admin, json={"email": "balie@ibdo.example.nl"})
    assert r.status_code == 200 and r.json()["email"] == "balie@ibdo.example.nl"
    assert_problem(client.patch("/loket/desks/ibdo", headers=auth(graph, "bizdev"),
                                json={"email": "x@y.nl"}), 403)
    assert_problem(client.patch("/loket/desks/nope", headers=admin, json={"email": "x@y.nl"}),
                   404)


def test_anonymous_item_confirm_desk_sees_it_refer(client: TestClient, graph: Driver,
                                                   smtp: SmtpInbox) -> None:
    bizdev = auth(graph, "bizdev")
    r = client.post("/loket", json=STARTUP)
    assert r.status_code == 202, r.text
    out = r.json()
    assert out["status"] == "awaiting_confirmation"
    founded = next(d for d in out["routed_to"] if d["desk"] == "founded")
    assert founded["via"] == "rule" and "start-up" in founded["reason"]
    assert founded["name_nl"] == "Founded" and founded["reason_en"]
    item = out["id"]

    # Not confirmed: no desk, no list, no item view shows it.
    assert client.get("/loket/desks/founded/queue", headers=bizdev).json()["total"] == 0
    assert item not in {i["id"] for i in client.get("/loket", headers=bizdev).json()["items"]}
    assert_problem(client.get(f"/loket/{item}", headers=bizdev), 404)

    [mail] = smtp.wait_for(SENDER)
    assert "Founded" in mail_text(mail)
    code = code_from(mail, "melden")
    smtp.clear()
    r = client.post("/loket/confirm", json={"code": code})
    assert r.status_code == 200, r.text
    assert "founded" in {d["desk"] for d in r.json()["routed_to"]}
    assert_problem(client.post("/loket/confirm", json={"code": code}), 409)
    smtp.wait_for("loket-founded@paraat.example")  # the desk is told

    queue = client.get("/loket/desks/founded/queue", headers=bizdev).json()
    assert [i["id"] for i in queue["items"]] == [item]
    assert queue["items"][0]["contact_email"] == SENDER and queue["items"][0]["reason"]
    assert_problem(client.get("/loket/desks/founded/queue", headers=auth(graph, "company",
                                                                          "12345678")), 403)
    assert_problem(client.get("/loket/desks/founded/queue"), 401)
    assert client.get(f"/loket/{item}", headers=bizdev).json()["routed_to"]

    # Referral: Founded hands it to the NOM's Business Developer, who takes it up.
    r = client.post(f"/loket/{item}/refer", headers=bizdev,
                    json={"to_desk": "nom-bdd", "from_desk": "founded",
                          "note": "Vraag over een defensieopdracht"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "doorverwezen"
    routes = {d["desk"]: d for d in r.json()["routed_to"]}
    assert routes["founded"]["active"] is False and routes["founded"]["referred_to"] == "nom-bdd"
    assert routes["nom-bdd"]["active"] and routes["nom-bdd"]["referred_from"] == "founded"
    assert client.get("/loket/desks/founded/queue", headers=bizdev).json()["total"] == 0
    assert [i["id"] for i in client.get("/loket/desks/nom-bdd/queue", headers=bizdev)
            .json()["items"]] == [item]
    smtp.wait_for("loket-nom@paraat.example")
    audit = graph.execute_query("MATCH (e:AuditEvent {entity: 'loket', entity_id: $id}) "
                                "RETURN e.action AS action, e.actor_role AS role, "
                                "e.after AS after ORDER BY e.at", id=item)[0]
    assert [a["action"] for a in audit] == ["loket.submit_anonymous", "loket.confirm",
                                            "loket.refer"]
    assert audit[2]["role"] == "bizdev" and "nom-bdd" in audit[2]["after"]
    r = client.post(f"/loket/{item}/triage", headers=bizdev, json={"status": "in_behandeling"})
    assert r.status_code == 200 and r.json()["status"] == "in_behandeling"
    assert count(graph, "MATCH (l:LoketItem {id: $id}) WHERE l.first_response_at IS NOT NULL "
                        "RETURN count(l)", id=item) == 1
    assert_problem(client.post(f"/loket/{item}/refer", headers=bizdev,
                               json={"to_desk": "nope"}), 404)
    assert_problem(client.post(f"/loket/{item}/refer", headers=auth(graph, "scout"),
                               json={"to_desk": "ibdo"}), 403)


def test_education_question_goes_to_the_veiligheidscampus(client: TestClient,
                                                           smtp: SmtpInbox) -> None:
    r = client.post("/loket", json={"title": "Opleiding voor onze monteurs",
                                    "text": "Welke cursus of training past bij onderhoud aan "
                                            "militaire voertuigen?",
                                    "contact_email": "hr@garage.example.nl",
                                    "kvk_number": "87654321"})
    assert r.status_code == 202, r.text
    assert r.json()["routed_to"][0]["desk"] == "veiligheidscampus"


def test_bad_input_expiry_and_floods(graph: Driver, neo4j_target: Neo4jTarget,
                                     smtp: SmtpInbox, encoder: Encoder) -> None:
    app = app_for(graph, neo4j_target, smtp, encoder, loket_per_address_per_hour=2)
    with TestClient(app) as c:
        assert_problem(c.post("/loket", json={**STARTUP, "contact_email": None}), 401)
        assert_problem(c.post("/loket", json={**STARTUP, "contact_email": "nope"}), 422)
        assert_problem(c.post("/loket", json={**STARTUP, "kvk_number": "123"}), 422)
        assert count(graph, "MATCH (n) WHERE n:LoketItem OR n:OutboxMail RETURN count(n)") == 0
        assert c.post("/loket", json=STARTUP).status_code == 202
        assert c.post("/loket", json={**STARTUP, "contact_email": "b@x.nl"}).status_code == 202
        r = c.post("/loket", json={**STARTUP, "contact_email": "c@x.nl"})
        assert_problem(r, 429)
        assert r.headers["Retry-After"] == "3600"
        assert count(graph, "MATCH (l:LoketItem) RETURN count(l)") == 2

        code = code_from(smtp.wait_for(SENDER)[0], "melden")
        graph.execute_query("MATCH (l:LoketItem) SET l.confirm_expires = datetime() - "
                            "duration('PT2H')")
        assert_problem(c.post("/loket/confirm", json={"code": code}), 410)
        assert_problem(c.post("/loket/confirm", json={"code": "y" * 32}), 404)
    from app.services.desks import DeskService
    from app.services.mail import Mailer
    from graph.repositories.desks import DeskRepository
    from graph.repositories.outbox import OutboxRepository

    settings = app.state.settings
    svc = DeskService(DeskRepository(graph), Mailer(settings.mail, OutboxRepository(graph)),
                      settings)
    assert svc.purge() == 2  # unconfirmed and expired: their text and address are gone
    assert count(graph, "MATCH (l:LoketItem) RETURN count(l)") == 0


def test_the_authenticated_loket_keeps_working_and_is_routed(client: TestClient,
                                                             graph: Driver) -> None:
    company = auth(graph, "company", "99000001")
    r = client.post("/loket", headers=company,
                    json={"kind": "idee", "title": "Sensoren voor kazernes",
                          "text": "Wij hebben een idee voor slimme sensoren op kazernes."})
    assert r.status_code == 201, r.text
    assert r.json()["routed_to"] and r.json()["status"] == "new"
    item = r.json()["id"]
    desk = r.json()["routed_to"][0]["desk"]
    queue = client.get(f"/loket/desks/{desk}/queue", headers=auth(graph, "bizdev")).json()
    assert item in {i["id"] for i in queue["items"]}
