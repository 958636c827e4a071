"""Sign-up without an admin against the real API, a real Neo4j and a real SMTP server on
loopback: request -> mail -> verify -> the token works; a used, expired or unknown code, a bad
KvK number or address and a flood each a clear problem+json with nothing stored; a KvK number
that has an account goes to an admin, who approves or rejects."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from tests.conftest import Neo4jTarget, SmtpInbox, mail_text
from tests.integration.api_helpers import assert_problem, auth, bearer, token_for
from tests.integration.app.api.signup_helpers import code_from, count, mail_app

pytestmark = pytest.mark.integration

KVK = "12345678"
EMAIL = "info@veenpantser.example.nl"


def body(**kw: str) -> dict[str, str]:
    return {"kvk_number": KVK, "company_name": "Veenkoloniale Pantsertechniek B.V.",
            "email": EMAIL, "contact_name": "Jan Hoving", **kw}


@pytest.fixture
def client(driver: Driver, neo4j_target: Neo4jTarget, smtp: SmtpInbox) -> Iterator[TestClient]:
    with TestClient(mail_app(neo4j_target, driver, smtp)) as c:
        yield c


def test_signup_mail_verify_and_the_token_works(client: TestClient, driver: Driver,
                                                smtp: SmtpInbox) -> None:
    r = client.post("/signup", json=body())
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "mailed"
    [mail] = smtp.wait_for(EMAIL)
    text = mail_text(mail)
    assert "Bevestig uw aanmelding" in mail["Subject"] and "Confirm" in mail["Subject"]
    assert text.index("Beste Jan Hoving") < text.index("Dear Jan Hoving")
    code = code_from(mail, "aanmelden")

    # Stored only as a hash: no property anywhere holds the code (the sent mail's body is gone).
    assert count(driver, "MATCH (n) WHERE any(k IN keys(n) WHERE toString(n[k]) CONTAINS $c) "
                         "RETURN count(n)", c=code) == 0
    assert count(driver, "MATCH (m:OutboxMail {status: 'sent'}) RETURN count(m)") == 1

    r = client.post("/signup/verify", json={"code": code})
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["user"]["role"] == "company" and out["user"]["kvk_number"] == KVK
    assert out["token"].startswith("pa_")
    # The token works and acts for that KvK number only.
    mine = client.get("/registrations", headers=bearer(out["token"]))
    assert mine.status_code == 200, mine.text
    other = client.post("/loket", headers=bearer(out["token"]),
                        json={"kind": "vraag", "title": "Vraag", "text": "Een vraag over "
                              "pantserstaal", "kvk_number": "87654321"})
    assert_problem(other, 403)
    assert count(driver, "MATCH (a:AuditEvent {action: 'signup.verify'}) RETURN count(a)") == 1

    # The code works once.
    body_ = assert_problem(client.post("/signup/verify", json={"code": code}), 409)
    assert "used" in body_["detail"]
    assert count(driver, "MATCH (u:User {kvk_number: $k}) RETURN count(u)", k=KVK) == 1


def test_expired_and_unknown_codes(client: TestClient, driver: Driver, smtp: SmtpInbox) -> None:
    assert client.post("/signup", json=body()).status_code == 202
    code = code_from(smtp.wait_for(EMAIL)[0], "aanmelden")
    driver.execute_query("MATCH (s:SignupRequest) SET s.expires_at = datetime() - "
                         "duration('PT1M')")
    problem = assert_problem(client.post("/signup/verify", json={"code": code}), 410)
    assert "expired" in problem["detail"] and "verlopen" in problem["detail"]
    assert count(driver, "MATCH (u:User) RETURN count(u)") == 0
    assert_problem(client.post("/signup/verify", json={"code": "x" * 32}), 404)
    assert_problem(client.post("/signup/verify", json={"code": "short"}), 422)
    assert_problem(client.post("/signup/verify", json={}), 422)


@pytest.mark.parametrize("field,value", [
    ("kvk_number", "1234567"), ("kvk_number", "12345678a"), ("kvk_number", "１２３４５６７８"),
    ("email", "not-an-address"), ("email", "a@b.nl\r\nBcc: x@y.nl"), ("company_name", "  "),
])
def test_bad_input_is_422_and_stores_nothing(client: TestClient, driver: Driver, field: str,
                                             value: str) -> None:
    problem = assert_problem(client.post("/signup", json=body(**{field: value})), 422)
    assert field in str(problem)
    assert count(driver, "MATCH (n) WHERE n:SignupRequest OR n:OutboxMail RETURN count(n)") == 0


def test_a_flood_from_one_address_or_for_one_mailbox_is_429(
        driver: Driver, neo4j_target: Neo4jTarget, smtp: SmtpInbox) -> None:
    app = mail_app(neo4j_target, driver, smtp, signup_per_address_per_hour=3,
                   signup_per_email_per_hour=2)
    with TestClient(app) as c:
        for i in range(3):
            assert c.post("/signup", json=body(email=f"a{i}@example.nl")).status_code == 202
        r = c.post("/signup", json=body(email="a9@example.nl"))
        problem = assert_problem(r, 429)
        assert r.headers["Retry-After"] == "3600" and "address" in problem["detail"]
        assert count(driver, "MATCH (s:SignupRequest) RETURN count(s)") == 3
    driver.execute_query("MATCH (s:SignupRequest) SET s.ip_hash = 'elsewhere'")
    with TestClient(app) as c:
        assert c.post("/signup", json=body(email="b@example.nl")).status_code == 202
        assert c.post("/signup", json=body(email="b@example.nl")).status_code == 202
        problem = assert_problem(c.post("/signup", json=body(email="b@example.nl")), 429)
        assert "e-mail" in problem["detail"]
    assert count(driver, "MATCH (s:SignupRequest) RETURN count(s)") == 5
    smtp.wait_for("@example.nl", count=5)


def test_a_kvk_number_with_an_account_goes_to_an_admin(client: TestClient, driver: Driver,
                                                       smtp: SmtpInbox) -> None:
    token_for(driver, "company", KVK)
    admin = auth(driver, "admin")
    assert client.post("/signup", json=body()).status_code == 202
    code = code_from(smtp.wait_for(EMAIL)[0], "aanmelden")
    r = client.post("/signup/verify", json={"code": code})
    assert r.status_code == 202, r.text
    request_id = r.json()["request_id"]
    assert r.json()["status"] == "review" and "token" not in r.json()
    assert count(driver, "MATCH (u:User {kvk_number: $k}) RETURN count(u)", k=KVK) == 1
    assert_problem(client.post("/signup/verify", json={"code": code}), 409)

    assert_problem(client.get("/signup/requests"), 401)
    assert_problem(client.get("/signup/requests", headers=auth(driver, "bizdev")), 403)
    queue = client.get("/signup/requests", params={"status": "review"}, headers=admin).json()
    assert [i["id"] for i in queue["items"]] == [request_id]

    smtp.clear()
    r = client.post(f"/signup/requests/{request_id}/approve", headers=admin,
                    json={"note": "Collega van de bestaande gebruiker"})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert_problem(client.post(f"/signup/requests/{request_id}/reject", headers=admin), 409)
    [mail] = smtp.wait_for(EMAIL)
    assert "goedgekeurd" in mail_text(mail) and "approved" in mail_text(mail)
    fresh = code_from(mail, "aanmelden")
    assert_problem(client.post("/signup/verify", json={"code": code}), 404)  # the old one
    r = client.post("/signup/verify", json={"code": fresh})
    assert r.status_code == 201, r.text
    assert count(driver, "MATCH (u:User {kvk_number: $k}) RETURN count(u)", k=KVK) == 2
    actions = [rec["action"] for rec in driver.execute_query(
        "MATCH (e:AuditEvent {entity: 'signup'}) RETURN e.action AS action ORDER BY e.at")[0]]
    assert actions == ["signup.review", "signup.approve", "signup.verify"]


def test_an_admin_rejects_and_the_requester_is_told(client: TestClient, driver: Driver,
                                                    smtp: SmtpInbox) -> None:
    token_for(driver, "company", KVK)
    admin = auth(driver, "admin")
    client.post("/signup", json=body())
    code = code_from(smtp.wait_for(EMAIL)[0], "aanmelden")
    request_id = client.post("/signup/verify", json={"code": code}).json()["request_id"]
    smtp.clear()
    r = client.post(f"/signup/requests/{request_id}/reject", headers=admin,
                    json={"note": "Onbekende afzender"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    text = mail_text(smtp.wait_for(EMAIL)[0])
    assert "afgewezen" in text and "Onbekende afzender" in text
    assert count(driver, "MATCH (u:User {kvk_number: $k}) RETURN count(u)", k=KVK) == 1
    assert_problem(client.post("/signup/requests/" + "0" * 32 + "/approve", headers=admin), 404)

    # Erasing the company (GDPR) takes its sign-up requests (names, addresses) along.
    driver.execute_query("CREATE (:Company {kvk_number: $k, name: 'Veenpantser'})", k=KVK)
    assert client.delete(f"/companies/{KVK}", headers=admin).status_code == 204
    assert count(driver, "MATCH (s:SignupRequest) RETURN count(s)") == 0
    events = driver.execute_query("MATCH (e:AuditEvent {entity: 'signup'}) RETURN e.after "
                                  "AS after")[0]
    assert events and all("Onbekende afzender" not in (e["after"] or "") for e in events)


def test_admin_sees_the_outbox_without_the_mails_text(client: TestClient, driver: Driver,
                                                      smtp: SmtpInbox) -> None:
    client.post("/signup", json=body())
    smtp.wait_for(EMAIL)
    r = client.get("/admin/outbox", headers=auth(driver, "admin"))
    assert r.status_code == 200, r.text
    [row] = r.json()["items"]
    assert row["status"] == "sent" and row["kind"] == "signup_code" and "body" not in row
    assert_problem(client.get("/admin/outbox", headers=auth(driver, "bizdev")), 403)
