"""Who sees which profile field (app/services/profiles.py), without a graph: the viewer per
role and what each answer leaves out."""

from __future__ import annotations

from datetime import date

from app.services.profiles import (
    Viewer,
    claims_public,
    redact_hit,
    redact_listed,
    redact_profile,
    sniff,
    visibility_map,
)
from app.services.users import UserPublic
from core.errors import ValidationError

META = {"visibility_defence": ["description", "capabilities"],
        "visibility_hidden": ["website"], "defence_experience": "direct",
        "claims": [{"kind": "iso9001", "state": "verified", "expires_on": "2020-01-01"}]}


def user(role: str, kvk: str | None = None) -> UserPublic:
    return UserPublic(id="u1", name="x", role=role, kvk_number=kvk)  # type: ignore[arg-type]


def test_each_role_sees_its_level() -> None:
    assert Viewer.of(None).withheld("1", META) == {"description", "capabilities", "website"}
    assert Viewer.of(user("company", "22222222")).withheld("11111111", META) \
        == {"description", "capabilities", "website"}
    assert Viewer.of(user("company", "11111111")).withheld("11111111", META) == frozenset()
    assert Viewer.of(user("scout")).withheld("1", META) == {"website"}
    assert Viewer.of(user("bizdev")).withheld("1", META) == {"website"}
    assert Viewer.of(user("admin")).withheld("1", META) == frozenset()
    assert Viewer.level("public").withheld("1", META) == {"description", "capabilities",
                                                          "website"}
    assert visibility_map(META)["website"] == "hidden"
    assert visibility_map(None)["description"] == "public"


def test_redaction_reaches_derived_data() -> None:
    profile = {"description": "geheim", "website": "w", "declared_capabilities": [{"id": "a"}],
               "inferred_capabilities": [{"id": "b", "evidence": "geheim"}],
               "nld_areas": [{"id": "n1", "via": ["capability:a"]},
                             {"id": "n2", "via": ["capability:a", "cluster:c"]}]}
    out = redact_profile(profile, frozenset({"capabilities", "description"}))
    assert out["description"] is None and out["website"] == "w"
    assert out["declared_capabilities"] == [] and out["inferred_capabilities"] == []
    assert out["nld_areas"] == [{"id": "n2", "via": ["cluster:c"]}]
    only_text = redact_profile(profile, frozenset({"description"}))
    assert only_text["inferred_capabilities"] == [{"id": "b", "evidence": None}]
    row = redact_listed({"municipality": "emmen", "municipality_name": "Emmen", "website": "w",
                         "employees": 3}, frozenset({"municipality"}))
    assert row["municipality"] is None and row["municipality_name"] is None and row["website"]
    hit = {"website": "w", "explanation": {
        "phrases": [{"text": "geheim"}], "lexical_terms": ["geheim"],
        "concepts": [{"via": "direct"}, {"via": "cluster"}],
        "graph_paths": ["vraag → x → Y via HAS_CAPABILITY (declared)", "cluster path"]}}
    out = redact_hit(hit, frozenset({"description", "capabilities", "website"}))
    assert out["website"] is None and "geheim" not in str(out)
    assert out["explanation"]["concepts"] == [{"via": "cluster"}]
    assert out["explanation"]["graph_paths"] == ["cluster path"]


def test_claims_expire_and_documents_are_what_they_say() -> None:
    [claim] = claims_public(META, today=date(2021, 1, 1))
    assert claim["expired"] is True and claim["label_nl"] == "ISO 9001"
    assert claims_public(META, today=date(2019, 1, 1))[0]["expired"] is False
    assert sniff("application/pdf; charset=binary", b"%PDF-1.7") == "application/pdf"
    for ctype, data in (("application/pdf", b"MZ\x90"), ("text/html", b"<html>"),
                        ("image/png", b"")):
        try:
            sniff(ctype, data)
        except ValidationError:
            continue
        raise AssertionError(f"{ctype} {data!r} accepted")
