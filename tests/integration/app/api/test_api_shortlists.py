"""Shortlists and past demand questions (`GET /demand-questions`), against the real graph:
they run on the seed without an encoder (split from the former test_api_lists.py)."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from graph.queries import matching as matching_q
from tests.integration.api_helpers import INJECTION, assert_problem, auth
from tests.integration.app.api import lists_helpers as lh

pytestmark = pytest.mark.integration


# --------------------------------------------------------------------------- shortlists


def test_shortlist_lifecycle(client: TestClient, plain: Driver) -> None:
    me = auth(plain, "bizdev")
    r = client.post("/shortlists", headers=me,
                    json={"name": "Ballistiek", "question": "lichtgewicht pantser"})
    assert r.status_code == 201, r.text
    sl = r.json()
    sid = sl["id"]
    assert sl["name"] == "Ballistiek" and sl["question"] == "lichtgewicht pantser"
    assert sl["items"] == [] and sl["created_at"]

    r = client.post(f"/shortlists/{sid}/items", headers=me,
                    json={"kvk_number": "99000001", "note": "Twaron — vezels ✓"})
    assert r.status_code == 201, r.text
    r = client.post(f"/shortlists/{sid}/items", headers=me,
                    json={"kvk_number": "99000002", "note": "composiet"})
    items = {i["kvk_number"]: i for i in r.json()["items"]}
    assert set(items) == {"99000001", "99000002"}
    teijin = items["99000001"]
    assert teijin["name"] == "Teijin Aramid" and teijin["municipality"] == "emmen"
    assert teijin["municipality_name"] and teijin["note"] == "Twaron — vezels ✓"
    assert teijin["added_at"]

    # adding again replaces the note, keeps the first added_at
    r = client.post(f"/shortlists/{sid}/items", headers=me,
                    json={"kvk_number": "99000001", "note": "bellen"})
    again = {i["kvk_number"]: i for i in r.json()["items"]}["99000001"]
    assert again["note"] == "bellen" and again["added_at"] == teijin["added_at"]
    assert len(r.json()["items"]) == 2

    r = client.delete(f"/shortlists/{sid}/items/99000002", headers=me)
    assert r.status_code == 200 and [i["kvk_number"] for i in r.json()["items"]] == ["99000001"]
    assert_problem(client.delete(f"/shortlists/{sid}/items/99000002", headers=me), 404)

    got = client.get(f"/shortlists/{sid}", headers=me).json()
    assert [i["kvk_number"] for i in got["items"]] == ["99000001"]
    assert lh.audit_actions(plain, sid) == ["shortlist.create", "shortlist.add_item",
                                         "shortlist.add_item", "shortlist.add_item",
                                         "shortlist.remove_item"]


def test_shortlists_list_is_own_and_paginated(client: TestClient, plain: Driver) -> None:
    me, other = auth(plain, "scout"), auth(plain, "bizdev")
    mine = [client.post("/shortlists", headers=me, json={"name": f"lijst {i}"}).json()["id"]
            for i in range(3)]
    client.post("/shortlists", headers=other, json={"name": "niet van mij"})
    page = client.get("/shortlists", headers=me, params={"limit": 2}).json()
    assert page["total"] == 3 and page["limit"] == 2 and len(page["items"]) == 2
    rest = client.get("/shortlists", headers=me, params={"limit": 2, "offset": 2}).json()
    ids = [s["id"] for s in page["items"] + rest["items"]]
    assert sorted(ids) == sorted(mine)
    assert all(s["item_count"] == 0 for s in page["items"])
    lh.assert_invalid(client.get("/shortlists", headers=me, params={"limit": 0}), "limit")


def test_shortlist_owner_isolation(client: TestClient, plain: Driver) -> None:
    me, other = auth(plain, "bizdev"), auth(plain, "bizdev")
    sid = client.post("/shortlists", headers=me, json={"name": "geheim"}).json()["id"]
    client.post(f"/shortlists/{sid}/items", headers=me,
                json={"kvk_number": "99000003", "note": "n"})
    assert_problem(client.get(f"/shortlists/{sid}", headers=other), 404)
    assert_problem(client.post(f"/shortlists/{sid}/items", headers=other,
                               json={"kvk_number": "99000004", "note": "x"}), 404)
    assert_problem(client.delete(f"/shortlists/{sid}/items/99000003", headers=other), 404)
    assert_problem(client.get(f"/shortlists/{sid}/export", headers=other), 404)
    assert sid not in {s["id"] for s in client.get("/shortlists", headers=other).json()["items"]}
    # the list is untouched
    r = client.get(f"/shortlists/{sid}", headers=me)
    assert r.status_code == 200 and [i["kvk_number"] for i in r.json()["items"]] == ["99000003"]


@pytest.mark.parametrize("role", ["bizdev", "scout", "admin"])
@pytest.mark.parametrize("method,path,body", [
    ("get", "", None), ("get", "/export", None),
    ("post", "/items", {"kvk_number": "99000004", "note": "x"}),
    ("delete", "/items/99000003", None)])
def test_nobody_but_the_owner_sees_a_shortlist(client: TestClient, plain: Driver, role: str,
                                               method: str, path: str,
                                               body: dict[str, Any] | None) -> None:
    """Also not an admin: the same 404 as for a list that does not exist, so an id does not
    tell whether a list exists (README, docs/security.md)."""
    me, them = auth(plain, "bizdev"), auth(plain, role)
    sid = client.post("/shortlists", headers=me, json={"name": "geheim"}).json()["id"]
    client.post(f"/shortlists/{sid}/items", headers=me,
                json={"kvk_number": "99000003", "note": "n"})
    kw: dict[str, Any] = {"json": body} if body is not None else {}
    theirs = assert_problem(client.request(method, f"/shortlists/{sid}{path}", headers=them,
                                           **kw), 404)
    missing = assert_problem(client.request(method, f"/shortlists/{lh.MISSING}{path}",
                                            headers=them, **kw), 404)
    assert theirs["detail"].replace(sid, lh.MISSING) == missing["detail"]
    assert sid not in {x["id"] for x in client.get("/shortlists", headers=them).json()["items"]}
    r = client.get(f"/shortlists/{sid}", headers=me)
    assert [i["kvk_number"] for i in r.json()["items"]] == ["99000003"]


def test_shortlist_auth_roles_and_not_found(client: TestClient, plain: Driver) -> None:
    me = auth(plain, "bizdev")
    company = auth(plain, "company", "99000001")
    sid = client.post("/shortlists", headers=me, json={"name": "x"}).json()["id"]
    calls = [("post", "/shortlists", {"name": "x"}), ("get", "/shortlists", None),
             ("get", f"/shortlists/{sid}", None),
             ("post", f"/shortlists/{sid}/items", {"kvk_number": "99000001"}),
             ("delete", f"/shortlists/{sid}/items/99000001", None),
             ("get", f"/shortlists/{sid}/export", None)]
    for method, url, body in calls:
        kw: dict[str, Any] = {"json": body} if body is not None else {}
        r = client.request(method, url, **kw)
        assert assert_problem(r, 401) and r.headers["www-authenticate"] == "Bearer"
        assert_problem(client.request(method, url, headers=company, **kw), 403)

    assert_problem(client.get(f"/shortlists/{lh.MISSING}", headers=me), 404)
    assert_problem(client.post(f"/shortlists/{lh.MISSING}/items", headers=me,
                               json={"kvk_number": "99000001"}), 404)
    assert_problem(client.get(f"/shortlists/{lh.MISSING}/export", headers=me), 404)
    body = assert_problem(client.post(f"/shortlists/{sid}/items", headers=me,
                                      json={"kvk_number": "12345678", "note": "?"}), 404)
    assert "12345678" in body["detail"]


@pytest.mark.parametrize("body,fields", [
    ({}, ["name"]),
    ({"name": ""}, ["name"]),
    ({"name": "x" * 201}, ["name"]),
    ({"name": "ok", "question": "q" * 2001}, ["question"]),
    ({"name": "nul\x00byte"}, ["name"]),
    ({"name": "ok", "owner": "someone-else"}, ["owner"]),
])
def test_shortlist_create_rejects_bad_bodies(client: TestClient, plain: Driver,
                                             body: dict[str, Any], fields: list[str]) -> None:
    lh.assert_invalid(client.post("/shortlists", headers=auth(plain, "bizdev"), json=body), *fields)


def test_shortlist_item_rejects_bad_bodies(client: TestClient, plain: Driver) -> None:
    me = auth(plain, "bizdev")
    sid = client.post("/shortlists", headers=me, json={"name": "x"}).json()["id"]
    url = f"/shortlists/{sid}/items"
    lh.assert_invalid(client.post(url, headers=me, json={"note": "n"}), "kvk_number")
    lh.assert_invalid(client.post(url, headers=me, json={"kvk_number": "9900000"}), "kvk_number")
    lh.assert_invalid(client.post(url, headers=me, json={"kvk_number": "99000001",
                                                      "note": "n" * 2001}), "note")
    lh.assert_invalid(client.delete(f"/shortlists/{sid}/items/abc", headers=me), "kvk")
    lh.assert_invalid(client.get("/shortlists/not-an-id", headers=me), "list_id")


def test_shortlist_exports_parse_back(client: TestClient, plain: Driver) -> None:
    me = auth(plain, "bizdev")
    sid = client.post("/shortlists", headers=me, json={"name": "Export: ö/ü"}).json()["id"]
    notes = {"99000001": "Twaron; “aramide” — Zoë", "99000008": "=HYPERLINK(\"x\")",
             "99000005": "regel 1\nregel 2"}
    for kvk, note in notes.items():
        assert client.post(f"/shortlists/{sid}/items", headers=me,
                           json={"kvk_number": kvk, "note": note}).status_code == 201

    r = client.get(f"/shortlists/{sid}/export", headers=me, params={"format": "csv"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == 'attachment; filename="shortlist-Export.csv"'
    assert r.content.startswith(b"\xef\xbb\xbf")
    csv_df = pd.read_csv(io.BytesIO(r.content), sep=";", encoding="utf-8-sig", dtype=str)

    r = client.get(f"/shortlists/{sid}/export", headers=me, params={"format": "xlsx"})
    assert r.status_code == 200
    assert r.headers["content-type"] == \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert r.headers["content-disposition"].endswith('.xlsx"')
    xlsx_df = pd.read_excel(io.BytesIO(r.content), dtype=str)

    for df in (csv_df, xlsx_df):
        assert list(df.columns) == ["kvk_number", "name", "municipality", "website",
                                    "employees", "note", "added_at"]
        assert sorted(df["kvk_number"]) == sorted(notes)
        rows = df.set_index("kvk_number")
        assert rows.loc["99000001", "name"] == "Teijin Aramid"
        assert rows.loc["99000001", "note"] == notes["99000001"]
        assert rows.loc["99000005", "note"] == notes["99000005"]
        # a formula is exported as text, never as a live formula
        assert rows.loc["99000008", "note"] == "'" + notes["99000008"]
        assert rows["added_at"].notna().all()

    lh.assert_invalid(client.get(f"/shortlists/{sid}/export", headers=me,
                              params={"format": "pdf"}), "format")


def test_shortlist_writes_are_idempotent_with_a_key(client: TestClient, plain: Driver) -> None:
    me = auth(plain, "bizdev")
    key = {**me, "Idempotency-Key": "lijst-create-0001"}
    before = lh.labels(plain)
    first = client.post("/shortlists", headers=key, json={"name": "eenmaal"})
    second = client.post("/shortlists", headers=key, json={"name": "eenmaal"})
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert lh.grew(before, lh.labels(plain)) == {"Shortlist": 1, "AuditEvent": 1,
                                           "IdempotencyKey": 1}
    assert_problem(client.post("/shortlists", headers=key, json={"name": "anders"}), 409)


def test_shortlist_stores_injection_verbatim(client: TestClient, plain: Driver) -> None:
    me = auth(plain, "bizdev")
    before = lh.labels(plain)
    r = client.post("/shortlists", headers=me, json={"name": INJECTION, "question": INJECTION})
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    r = client.post(f"/shortlists/{sid}/items", headers=me,
                    json={"kvk_number": "99000001", "note": INJECTION})
    assert r.status_code == 201
    got = client.get(f"/shortlists/{sid}", headers=me).json()
    assert got["name"] == got["question"] == got["items"][0]["note"] == INJECTION
    assert lh.grew(before, lh.labels(plain)) == {"Shortlist": 1, "AuditEvent": 2}


# --------------------------------------------------------------------------- demand questions


def _store_question(driver: Driver, text: str, lang: str, concepts: list[str],
                    areas: list[str] | None, created: str | None = None) -> str:
    qid = uuid.uuid4().hex
    driver.execute_query(matching_q.CREATE_DEMAND_QUESTION, q={
        "id": qid, "question": text, "lang": lang, "filters": "{}", "owner": "x", "top_k": 5,
        "concepts": concepts, "nld_areas": areas,
        "hits": [{"kvk": "99000001", "rank": 1, "score": 0.9}]})
    if created:
        driver.execute_query("MATCH (d:DemandQuestion {id: $id}) "
                             "SET d.created_at = datetime($t)", id=qid, t=created)
    return qid


def test_demand_questions_list_and_window(client: TestClient, plain: Driver) -> None:
    plain.execute_query("MATCH (d:DemandQuestion) DETACH DELETE d")
    old = _store_question(plain, "nachtzicht", "nl", ["night-vision"], None,
                          "2026-01-10T10:00:00Z")
    mid = _store_question(plain, "composite armour", "en", ["composite-materials"],
                          ["slimme-materialen"], "2026-03-10T10:00:00Z")
    new = _store_question(plain, INJECTION + " radar", "nl", [], [])
    me = auth(plain, "scout")

    r = client.get("/demand-questions", headers=me)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 3 and [q["id"] for q in body["items"]] == [new, mid, old]
    by_id = {q["id"]: q for q in body["items"]}
    assert by_id[mid]["language"] == "en" and by_id[mid]["text"] == "composite armour"
    assert by_id[mid]["nld_areas"] == ["slimme-materialen"] and by_id[mid]["hits"] == 1
    assert [c["id"] for c in by_id[mid]["concepts"]] == ["composite-materials"]
    assert by_id[mid]["concepts"][0]["label_nl"]
    # stored before areas were kept: derived from the concepts
    assert "sensoren" in by_id[old]["nld_areas"]
    assert by_id[new]["text"] == INJECTION + " radar"

    win = client.get("/demand-questions", headers=me,
                     params={"since": "2026-02-01T00:00:00Z", "until": "2026-04-01"}).json()
    assert [q["id"] for q in win["items"]] == [mid] and win["total"] == 1
    page = client.get("/demand-questions", headers=me, params={"limit": 1, "offset": 1}).json()
    assert [q["id"] for q in page["items"]] == [mid] and page["total"] == 3

    assert_problem(client.get("/demand-questions"), 401)
    assert_problem(client.get("/demand-questions", headers=auth(plain, "company", "99000001")),
                   403)
    lh.assert_invalid(client.get("/demand-questions", headers=me, params={"since": "gisteren"}),
                   "since")
    lh.assert_invalid(client.get("/demand-questions", headers=me, params={"limit": 500}), "limit")
    assert_problem(client.get("/demand-questions", headers=me,
                              params={"since": "2026-05-01", "until": "2026-04-01"}), 422)


# --------------------------------------------------------------------------- watchlists
