"""The Streamlit pages' logic with `streamlit.testing.v1.AppTest`, against a tiny real HTTP
server that answers like the API (tests/unit/app/ui/ui_fake_api.py): rendered elements, no
exceptions, Dutch/English, friendly messages when the API is down, the empty graph."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from app.ui import common
from app.ui.client import ApiClient, ApiError
from app.ui.i18n import STRINGS, t
from graph.server import free_port
from tests.unit.app.ui.ui_fake_api import TOKENS, XSS, FakeApi, serve

UI = Path(__file__).resolve().parents[4] / "app" / "ui"
TIMEOUT = 60


@pytest.fixture
def api() -> Iterator[FakeApi]:
    with serve(FakeApi()) as a:
        yield a


@pytest.fixture
def empty_api() -> Iterator[FakeApi]:
    with serve(FakeApi(empty=True)) as a:
        yield a


def _page_script(page: str) -> None:
    from app.ui.shell import run_page

    run_page(page)


def page(key: str, url: str, token: str | None = "pa_admin", lang: str = "nl",
         **state: Any) -> AppTest:
    at = AppTest.from_function(_page_script, args=(key,), default_timeout=TIMEOUT)
    at.session_state["api_url"] = url
    at.session_state["lang"] = lang
    if token:
        at.session_state["token"] = token
        at.session_state["user"] = TOKENS[token]
    for k, v in state.items():
        at.session_state[k] = v
    return at.run()


def texts(at: AppTest) -> str:
    """Everything the page shows as text, for assertions."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "error",
                 "warning", "success", "text", "code", "metric"):
        for el in getattr(at, kind):
            parts.append(str(getattr(el, "value", "")))
            parts.append(str(getattr(el, "label", "")))
    return "\n".join(parts)


def no_failure(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    shown = texts(at)
    for lang in ("nl", "en"):
        assert t("err.unexpected", lang) not in shown, shown


# --------------------------------------------------------------------------- i18n, client


def test_every_string_has_dutch_and_english() -> None:
    for key, entry in STRINGS.items():
        assert set(entry) == {"nl", "en"} and all(entry.values()), key


def test_every_key_the_pages_use_is_in_the_table() -> None:
    used: set[str] = set()
    for path in UI.rglob("*.py"):
        src = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\btr?\(\s*["']([a-z_]+\.[A-Za-z_.]+)["']""", src))
    assert used, "no keys found"
    missing = sorted(k for k in used if k not in STRINGS)
    assert not missing, missing


def test_client_maps_errors_to_kinds(api: FakeApi) -> None:
    with pytest.raises(ApiError) as e:
        ApiClient(api.url, "pa_nope").me()
    assert e.value.kind == "unauthorized"
    with pytest.raises(ApiError) as e:
        ApiClient(api.url, "pa_admin").company("11111111")
    assert e.value.kind == "not_found"
    with pytest.raises(ApiError) as e:
        ApiClient(api.url, "pa_admin").get("/no-such-route")
    assert e.value.kind == "not_available"
    with pytest.raises(ApiError) as e:
        ApiClient(f"http://127.0.0.1:{free_port()}").clusters()
    assert e.value.kind == "unreachable"
    with pytest.raises(ApiError) as e:
        ApiClient(api.url, "pa_company").submit_registration({"name": ""})
    assert e.value.kind == "invalid"
    assert {f.field for f in e.value.errors} == {"name", "kvk_number"}
    assert e.value.errors[0].message("nl") == "Een naam is verplicht."
    assert ("GET", "/me", None) in api.calls


def test_md_escapes_html_and_markdown() -> None:
    out = common.md(XSS + " *bold* [x](javascript:y) :red[z] $x$")
    assert "<" not in out and ">" not in out
    assert "&lt;script&gt;" in out
    assert "&#" not in common.md("it's")
    assert "\\*bold\\*" in out and "\\[x\\]" in out and "\\:red" in out and "\\$x\\$" in out
    hl = common.highlight("a <b>armour</b> c", [[5, 11, "x"]])
    assert ":orange-background[**armour**]" in hl and "&lt;b&gt;" in hl


# --------------------------------------------------------------------------- navigation


def test_main_shows_pages_by_role_and_logs_in(api: FakeApi) -> None:
    at = AppTest.from_file(str(UI / "main.py"), default_timeout=TIMEOUT)
    at.session_state["api_url"] = api.url
    at.run()
    no_failure(at)
    assert "Verbonden met de graaf" in texts(at)
    at.sidebar.text_input(key="token_input").input("pa_scout")
    at.sidebar.button[0].click().run()
    no_failure(at)
    assert at.session_state["user"]["role"] == "scout"
    assert "Welkom" in texts(at)
    from app.ui.shell import visible_pages

    assert visible_pages(None) == ["home", "clusters", "company", "signup", "report"]
    assert visible_pages("scout") == ["home", "search", "clusters", "company", "report",
                                      "patterns", "monitor", "scouting"]
    assert visible_pages("policy") == ["home", "clusters", "company", "report", "monitor"]
    # one place to send a question: a company's own loket, not also the page without account
    assert visible_pages("company") == ["home", "clusters", "company", "register", "loket"]
    assert "report" not in visible_pages("bizdev")
    assert "desk" in visible_pages("bizdev") and "desk" not in visible_pages("company")
    assert "admin" in visible_pages("admin") and "admin" not in visible_pages("bizdev")


def test_bad_token_gives_a_friendly_message(api: FakeApi) -> None:
    at = AppTest.from_file(str(UI / "main.py"), default_timeout=TIMEOUT)
    at.session_state["api_url"] = api.url
    at.run()
    at.sidebar.text_input(key="token_input").input("pa_wrong")
    at.sidebar.button[0].click().run()
    no_failure(at)
    assert "user" not in at.session_state
    assert t("login.bad_token") in [e.value for e in at.sidebar.error]


def test_english_switch(api: FakeApi) -> None:
    at = AppTest.from_file(str(UI / "main.py"), default_timeout=TIMEOUT)
    at.session_state["api_url"] = api.url
    at.run()
    assert "Verbonden met de graaf" in texts(at)
    at.sidebar.radio(key="lang").set_value("en").run()
    no_failure(at)
    assert "Connected to the graph" in texts(at)


# --------------------------------------------------------------------------- pages


def test_search_shows_ranked_explained_cards_and_escapes(api: FakeApi) -> None:
    at = page("search", api.url, "pa_bizdev")
    no_failure(at)
    at.text_area(key="question").input("Wij zoeken ballistische bescherming")
    at.button[0].click().run()  # the form's submit button
    no_failure(at)
    shown = texts(at)
    assert "#### 1. Teijin Aramid" in shown
    assert ":orange-background[**ballistische bescherming**]" in shown
    assert "verouderd profiel" in shown and "niet geverifieerd" in shown
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    assert [m.value for m in at.metric][:2] == ["0.91", "0.50"]
    body = next(c for c in api.calls if c[1] == "/match")[2]
    assert body["question"] == "Wij zoeken ballistische bescherming"
    # add to shortlist -> export buttons appear
    next(b for b in at.button if b.key == "add_99000001").click().run()
    no_failure(at)
    assert "99000001" in at.session_state["shortlist"]
    assert len(at.get("download_button")) == 2
    # watchlist: save and see what is new
    next(b for b in at.button if b.label == t("search.watch_save")).click().run()
    assert api.watchlists and api.watchlists[0]["question"].startswith("Wij zoeken")
    next(b for b in at.button if b.label == t("search.watch_new")).click().run()
    no_failure(at)
    assert "Teijin Aramid" in texts(at)


def test_search_in_english(api: FakeApi) -> None:
    at = page("search", api.url, "pa_scout", lang="en")
    no_failure(at)
    assert at.title[0].value == "Find suppliers"


def test_search_on_an_empty_graph_says_so(empty_api: FakeApi) -> None:
    at = page("search", empty_api.url, "pa_bizdev")
    at.text_area(key="question").input("drones")
    at.button[0].click().run()
    no_failure(at)
    assert any("graaf bevat nog geen bedrijven" in i.value for i in at.info)


def test_pages_say_when_the_api_is_down() -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    for key in ("home", "clusters", "search", "register", "loket", "patterns", "admin",
                "monitor", "scouting"):
        at = page(key, dead, "pa_admin")
        no_failure(at)
        shown = texts(at)
        assert t("err.unreachable") in shown, (key, shown)


def test_clusters_network_expand_matrix_map_detail(api: FakeApi) -> None:
    at = page("clusters", api.url, None)
    no_failure(at)
    graph = at.session_state["net_graph"]
    assert set(graph["nodes"]) == {"cluster-groene-chemie", "99000001", "slimme-materialen"}
    at.selectbox(key="net_expand").set_value("99000001")
    at.button(key="net_expand_go").click().run()
    no_failure(at)
    graph = at.session_state["net_graph"]
    assert "getec-park" in graph["nodes"] and "99000001" in graph["expanded"]
    assert len(at.get("plotly_chart")) == 1
    at.radio(key="explore_view").set_value("matrix").run()
    no_failure(at)
    assert len(at.get("plotly_chart")) == 1
    at.radio(key="explore_view").set_value("map").run()
    no_failure(at)
    assert len(at.get("plotly_chart")) == 1
    assert not any(t("explore.map_no_companies") in i.value for i in at.info)
    at.radio(key="explore_view").set_value("detail").run()
    no_failure(at)
    assert "Groene chemie in Emmen" in texts(at)


def test_clusters_with_an_empty_graph(empty_api: FakeApi) -> None:
    at = page("clusters", empty_api.url, None)
    for view in ("network", "matrix", "map", "detail"):
        at.radio(key="explore_view").set_value(view).run()
        no_failure(at)
        shown = texts(at)
        assert t("explore.no_clusters") in shown or t("explore.map_no_companies") in shown


def test_register_shows_shacl_messages_next_to_fields_then_pending(api: FakeApi) -> None:
    at = page("register", api.url, "pa_company")
    no_failure(at)
    assert at.text_input(key="reg_kvk").value == "12345678"
    at.text_area(key="reg_description").input("Wij maken voertuigbepantsering.")
    next(b for b in at.button if b.label == t("reg.submit")).click().run()
    no_failure(at)
    assert "Een naam is verplicht." in [e.value for e in at.error]
    at.text_input(key="reg_name").input(f"Nieuw {XSS} BV")
    at.multiselect(key="reg_caps").set_value(["vehicle-armour"])
    next(b for b in at.button if b.label == t("reg.submit")).click().run()
    no_failure(at)
    assert api.registrations[-1]["profile"]["capabilities"] == ["vehicle-armour"]
    assert "in behandeling" in texts(at)
    assert "voertuigbepantsering" in texts(at)  # preview: concepts found in the text


@pytest.mark.parametrize("lang,theme,area", [
    ("nl", "ballistische bescherming", "Slimme materialen"),
    ("en", "ballistic protection", "Smart materials")])
def test_register_preview_shows_the_themes_and_areas_of_demand(api: FakeApi, lang: str,
                                                               theme: str, area: str) -> None:
    at = page("register", api.url, "pa_company", lang=lang)
    at.text_area(key="reg_description").input("Wij leveren ballistische panelen.")
    next(b for b in at.button if b.label == t("reg.submit", lang)).click().run()
    no_failure(at)
    shown = texts(at)
    assert f"{t('reg.preview_themes', lang)}:** {theme}" in shown
    assert f"{t('reg.preview_areas', lang)}:** {area}" in shown


def test_register_capability_picker_searches_both_languages(api: FakeApi) -> None:
    at = page("register", api.url, "pa_company", lang="en")
    options = at.multiselect(key="reg_caps").options
    assert "vehicle armour / voertuigbepantsering" in options


def test_loket_company_submits_and_bizdev_triages(api: FakeApi) -> None:
    at = page("loket", api.url, "pa_company")
    no_failure(at)
    at.text_input(key="loket_title").input("Drone-detectie")
    at.text_area(key="loket_text").input("Wij hebben een sensor voor drones.")
    next(b for b in at.button if b.label == t("loket.send")).click().run()
    no_failure(at)
    assert api.loket and api.loket[0]["kind"] == "idee"
    at = page("loket", api.url, "pa_bizdev")
    no_failure(at)
    assert "Rijksuniversiteit" in texts(at)
    at.selectbox(key="triage_status").set_value("doorverwezen")
    next(b for b in at.button if b.label == t("loket.triage")).click().run()
    no_failure(at)
    assert api.loket[0]["status"] == "doorverwezen"


def test_admin_approves_with_diff_and_sees_audit(api: FakeApi) -> None:
    ApiClient(api.url, "pa_company").submit_registration(
        {"kvk_number": "12345678", "name": "Nieuw BV", "capabilities": []})
    at = page("admin", api.url, "pa_admin")
    no_failure(at)
    assert any("Nieuw BV" in str(df.value.to_dict()) for df in at.dataframe)
    next(b for b in at.button if b.label == t("admin.approve")).click().run()
    no_failure(at)
    assert api.registrations[0]["status"] == "approved"
    at.radio(key="admin_section").set_value("audit").run()
    no_failure(at)
    assert any("approve" in str(df.value.to_dict()) for df in at.dataframe)
    at.radio(key="admin_section").set_value("users").run()
    no_failure(at)


def test_admin_missing_endpoints_are_an_info_not_an_error() -> None:
    with serve(FakeApi(missing=("/registrations", "/users", "/audit"))) as a:
        at = page("admin", a.url, "pa_admin")
        no_failure(at)
        assert t("err.not_available") in texts(at) and not at.error
        for section in ("users", "audit"):
            at.radio(key="admin_section").set_value(section).run()
            no_failure(at)
            assert t("err.not_available") in texts(at)


def test_patterns_charts(api: FakeApi) -> None:
    at = page("patterns", api.url, "pa_scout")
    no_failure(at)
    assert [m.value for m in at.metric][0] == "2"
    assert len(at.get("plotly_chart")) == 3


def test_every_page_renders_with_an_empty_graph(empty_api: FakeApi) -> None:
    for key in ("home", "clusters", "search", "register", "loket", "patterns", "admin"):
        at = page(key, empty_api.url, "pa_admin")
        no_failure(at)
        assert not at.error, (key, [e.value for e in at.error])


def test_import_client_progress_and_rejected_rows(api: FakeApi) -> None:
    from app.ui.views.admin import _progress, rejected_csv

    cl = ApiClient(api.url, "pa_admin")
    job = cl.start_import("register.csv", b"kvk_number;name\n12;x\n", dry_run=True)
    assert job["status"] == "running" and _progress(job) == 0.25
    done = cl.import_status(job["id"])
    assert _progress(done) == 1.0
    data = rejected_csv(done)
    assert data is not None
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "row;field;reason_nl;reason_en;value"
    assert "3;kvk_number;8 cijfers;8 digits;12" in text
    assert rejected_csv({"rejections": []}) is None


# --------------------------------------------------------------------------- issue 20


def test_signup_without_a_token_then_the_mailed_code_gives_the_token(api: FakeApi) -> None:
    at = page("signup", api.url, None)
    no_failure(at)
    at.text_input(key="signup_kvk").input("12345678")
    at.text_input(key="signup_company").input("Veenpantser B.V.")
    at.text_input(key="signup_contact").input("Jan")
    at.text_input(key="signup_email").input("jan@veenpantser.example.nl")
    at.button[0].click().run()
    no_failure(at)
    assert api.signups == [{"kvk_number": "12345678", "company_name": "Veenpantser B.V.",
                            "email": "jan@veenpantser.example.nl", "contact_name": "Jan"}]
    assert "Bekijk uw mail" in texts(at)

    at = AppTest.from_function(_page_script, args=("signup",), default_timeout=TIMEOUT)
    at.session_state["api_url"] = api.url
    at.session_state["lang"] = "en"
    at.query_params["code"] = "a" * 32
    at.run()
    at.button[0].click().run()
    no_failure(at)
    assert "pa_company" in texts(at) and "shown only now" in texts(at)
    at.button(key="signup_login").click().run()
    assert at.session_state["user"]["role"] == "company"


def test_signup_in_review_and_a_used_code(api: FakeApi) -> None:
    at = AppTest.from_function(_page_script, args=("signup",), default_timeout=TIMEOUT)
    at.session_state["api_url"] = api.url
    at.query_params["code"] = "review" + "a" * 30
    at.run()
    at.button[0].click().run()
    assert "beheerder beoordeelt" in texts(at)
    at = AppTest.from_function(_page_script, args=("signup",), default_timeout=TIMEOUT)
    at.session_state["api_url"] = api.url
    at.query_params["code"] = "used" + "a" * 30
    at.run()
    at.button[0].click().run()
    no_failure(at)
    assert at.error


def test_anonymous_loket_shows_where_it_goes_and_confirms(api: FakeApi) -> None:
    at = page("report", api.url, None)
    no_failure(at)
    at.text_input(key="report_title").input("Drones")
    at.text_area(key="report_text").input("Wij zijn een start-up")
    at.text_input(key="report_email").input("a@b.nl")
    at.button[0].click().run()
    no_failure(at)
    assert "Founded" in texts(at) and "genoemd" in texts(at)
    assert api.anonymous[0]["contact_email"] == "a@b.nl"
    at = AppTest.from_function(_page_script, args=("report",), default_timeout=TIMEOUT)
    at.session_state["api_url"] = api.url
    at.query_params["code"] = "c" * 32
    at.run()
    no_failure(at)
    assert "Bevestigd" in texts(at)


def test_desk_queue_refers_to_another_desk(api: FakeApi) -> None:
    at = page("desk", api.url, "pa_bizdev")
    no_failure(at)
    assert "Drones" in at.expander[0].label and "<script>" not in at.expander[0].label
    assert "genoemd" in texts(at)
    at.selectbox(key="desk_to_" + "d" * 32).set_value("nom-bdd")
    at.text_input(key="desk_why_" + "d" * 32).input("Over een opdracht")
    refer = [b for b in at.button if "Doorverwijzen" in str(b.label)][0]
    refer.click().run()
    no_failure(at)
    assert api.referrals == [{"id": "d" * 32, "to_desk": "nom-bdd", "from_desk": "founded",
                              "note": "Over een opdracht"}]
