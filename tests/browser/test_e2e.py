"""End to end in headless Chromium: the real API (`paraat serve api`) on the test Neo4j with
the seed data, the real UI (`paraat serve ui --api …`), driven by Playwright with Debian's
chromium. Screenshots of every page go to test-output/screenshots/."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from neo4j import Driver

from app.services.users import UserCreate, create_user
from graph.repositories.users import UsersRepository
from graph.server import free_port
from matching.encoders.base import Encoder
from tests.conftest import Neo4jTarget, seed_graph, unavailable

pytestmark = [pytest.mark.browser, pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "screenshots"
SECRET = "browser-test-secret-0123456789"
QUESTION = "Wij zoeken lichtgewicht ballistische bescherming voor voertuigen"
PAYLOAD = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
WAIT_MS = 60_000
T_START: list[float] = []


@dataclass
class Stack:
    api: str
    ui: str
    tokens: dict[str, str]


def _wait(url: str, proc: subprocess.Popen[bytes], what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{what} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{what} did not answer at {url} within {timeout:.0f} s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the process and anything it started (it leads its own process group)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def launch(env: dict[str, str], logs: Path, api_port: int, ui_port: int
           ) -> tuple[subprocess.Popen[bytes], subprocess.Popen[bytes]]:
    """`paraat serve api` and `paraat serve ui` (a client of that API) as their own process
    groups, each logging to a file in `logs`."""
    def serve(what: str, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "app.cli", "serve", what, *args],
                                env=env, cwd=ROOT, stdout=(logs / f"{what}.log").open("wb"),
                                stderr=subprocess.STDOUT, start_new_session=True)
    api = serve("api", "--port", str(api_port))
    return api, serve("ui", "--port", str(ui_port), "--api", f"http://127.0.0.1:{api_port}")


@pytest.fixture(scope="module")
def chromium() -> str:
    T_START.append(time.monotonic())
    path = shutil.which("chromium")
    if not path:
        unavailable("Debian's chromium is not installed (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        unavailable("playwright is not installed in the venv")
    return str(path)


@pytest.fixture(scope="module")
def stack(chromium: str, neo4j_target: Neo4jTarget, session_driver: Driver, encoder: Encoder,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    t0 = time.monotonic()
    print(f"Neo4j + encoder ready after {t0 - T_START[0]:.0f} s", file=sys.stderr)
    # The machine's persistent embedding cache: the seed texts are encoded once per machine,
    # not once per run, which keeps this suite near 3 minutes.
    seed_graph(session_driver, encoder)
    print(f"seed loaded after {time.monotonic() - t0:.0f} s", file=sys.stderr)
    tokens: dict[str, str] = {}
    users = (UserCreate(name="E2E admin", role="admin"), UserCreate(name="E2E bizdev",
             role="bizdev"), UserCreate(name="E2E scout", role="scout"),
             UserCreate(name="E2E company", role="company", kvk_number="99000091"),
             UserCreate(name="E2E policy", role="policy"))
    for u in users:
        _, tokens[u.role] = create_user(UsersRepository(session_driver), u, SECRET)
    env = {**os.environ, "NEO4J_URI": neo4j_target.uri, "NEO4J_USER": neo4j_target.user,
           "NEO4J_PASSWORD": neo4j_target.password, "PARAAT_API_SECRET": SECRET,
           "PARAAT_EMBED_MODEL": encoder.name, "PARAAT_API_RATE_LIMIT_PER_MINUTE": "0",
           "PARAAT_DATA_DIR": str(tmp_path_factory.mktemp("paraat-data")),
           "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    api_port, ui_port = free_port(), free_port()
    api_url, ui_url = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{ui_port}"
    logs = tmp_path_factory.mktemp("e2e-logs")
    api, ui = launch(env, logs, api_port, ui_port)
    try:
        _wait(f"{api_url}/health", api, "the API")
        print(f"API up after {time.monotonic() - t0:.0f} s", file=sys.stderr)
        # The first question loads the encoder in the API; do it before the browser waits.
        r = httpx.post(f"{api_url}/match", json={"question": "radar", "top_k": 1},
                       headers={"Authorization": f"Bearer {tokens['scout']}"}, timeout=180)
        assert r.status_code == 200, r.text
        print(f"API warm after {time.monotonic() - t0:.0f} s", file=sys.stderr)
        _wait(f"{ui_url}/_stcore/health", ui, "the UI")
        SHOTS.mkdir(parents=True, exist_ok=True)
        yield Stack(api_url, ui_url, tokens)
    finally:
        _stop(ui)
        _stop(api)


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any, stack: Stack) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1800}, locale="nl-NL")
    pg = ctx.new_page()
    pg.set_default_timeout(WAIT_MS)
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.goto(stack.ui)
    pg.get_by_text("Verbonden met de graaf").wait_for()
    try:
        yield pg
    finally:
        ctx.close()


# --------------------------------------------------------------------------- helpers


def login(pg: Any, token: str) -> None:
    pg.get_by_label("Toegangstoken").fill(token)
    pg.get_by_role("button", name="Inloggen").click()
    pg.get_by_text("Ingelogd als").wait_for()


def logout(pg: Any) -> None:
    pg.get_by_role("button", name="Uitloggen").click()
    pg.get_by_label("Toegangstoken").wait_for()


def goto(pg: Any, title: str) -> None:
    pg.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    pg.get_by_role("heading", name=title).first.wait_for()


def choose(pg: Any, label: str, text: str) -> None:
    """Pick an option in a Streamlit selectbox/multiselect by typing part of it."""
    box = pg.locator("[data-testid='stSelectbox'], [data-testid='stMultiSelect']").filter(
        has=pg.get_by_text(label, exact=True)).first
    if box.get_by_text(text).count():  # already chosen
        return
    box.locator("input").click()
    pg.keyboard.type(text)
    pg.get_by_role("option").filter(has_text=text).first.click()
    if pg.get_by_role("listbox").count():  # a multiselect stays open after a pick
        pg.keyboard.press("Escape")  # (in a closed selectbox, Escape would clear the pick)


def shot(pg: Any, name: str) -> None:
    pg.wait_for_timeout(400)  # let the last rerun settle
    charts = pg.locator(".stPlotlyChart")
    for i in range(charts.count()):  # plotly draws after the element appears
        charts.nth(i).locator("svg.main-svg").first.wait_for()
    assert pg.get_by_test_id("stException").count() == 0
    assert pg.get_by_text("Er ging iets mis op deze pagina").count() == 0
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def search(pg: Any, question: str) -> None:
    pg.get_by_label("Vraag").fill(question)
    pg.get_by_role("button", name="Zoeken", exact=True).click()
    pg.locator("h4").filter(has_text=re.compile(r"^1\. ")).first.wait_for()


def first_result(pg: Any) -> str:
    return str(pg.locator("h4").filter(has_text=re.compile(r"^\d+\. ")).first.inner_text())


def approve_via_api(stack: Stack, kvk: str, profile: dict[str, Any]) -> None:
    bizdev = {"Authorization": f"Bearer {stack.tokens['bizdev']}"}
    admin = {"Authorization": f"Bearer {stack.tokens['admin']}"}  # never one's own submission
    r = httpx.post(f"{stack.api}/registrations", json={"kvk_number": kvk, **profile},
                   headers=bizdev, timeout=30)
    assert r.status_code == 201, r.text
    r = httpx.post(f"{stack.api}/registrations/{r.json()['id']}/approve", json={},
                   headers=admin, timeout=150)
    assert r.status_code == 200, r.text


# --------------------------------------------------------------------------- scenarios


def test_dutch_question_puts_teijin_first_with_its_explanation(page: Any, stack: Stack
                                                              ) -> None:
    shot(page, "start")
    login(page, stack.tokens["bizdev"])
    goto(page, "Leveranciers zoeken")
    search(page, QUESTION)
    assert first_result(page).startswith("1. Teijin Aramid")
    card = page.locator(".st-key-hit_99000001")
    assert card.get_by_text("Passende begrippen").count() == 1
    assert "ballistische bescherming" in card.inner_text()
    card.get_by_text("Waarom dit resultaat?").click()
    card.get_by_text("HAS_CAPABILITY").first.wait_for()
    card.get_by_role("button", name="Op shortlist zetten").click()
    page.get_by_role("button", name="Download Excel").wait_for()
    shot(page, "leveranciers-zoeken")
    goto(page, "Vraagpatronen")
    page.get_by_text("Vragen per NLD-gebied").wait_for()
    page.locator(".stPlotlyChart svg.main-svg").first.wait_for()  # plotly draws late
    shot(page, "vraagpatronen")


def test_expand_a_cluster_in_the_network_view(page: Any, stack: Stack) -> None:
    goto(page, "Clusters verkennen")
    caption = page.get_by_text(re.compile(r"\d+ knooppunten, \d+ verbindingen"))
    caption.wait_for()
    choose(page, "Begin bij", "Cluster Groene Chemie")
    # One caption holds the counts and the expanded nodes, so it is never half-updated.
    caption = page.get_by_text(re.compile(r"Uitgeklapt: Cluster Groene Chemie\.$"))
    before = int(caption.inner_text().split()[0])
    choose(page, "Knooppunt uitklappen", "Teijin Aramid")
    page.get_by_role("button", name="Uitklappen").click()
    expanded = page.get_by_text(re.compile(r"Uitgeklapt: .*Teijin Aramid"))
    after = int(expanded.inner_text().split()[0])
    assert after > before  # Teijin's own neighbours (capabilities, GETEC-park…) were added
    shot(page, "clusters-netwerk")
    for view, name, marker in (
            ("Matrix NLD × cluster", "clusters-matrix", "bedient dit NLD-gebied"),
            ("Kaart", "clusters-kaart", "Coördinaten: hoofdplaatsen"),
            ("Clusterdetail", "clusters-detail", "Bron:")):
        page.get_by_text(view, exact=True).click()
        page.get_by_text(marker).first.wait_for()
        shot(page, name)


def test_register_approve_and_find_the_company(page: Any, stack: Stack) -> None:
    login(page, stack.tokens["company"])
    goto(page, "Bedrijf registreren / mijn profiel")
    page.get_by_label("Bedrijfsnaam").fill("Drentse Keramiek Pantser BV")
    page.get_by_label("Omschrijving (Nederlands)").fill(
        "Drentse Keramiek Pantser ontwikkelt keramische pantserplaten en lichtgewicht "
        "bepantsering voor militaire voertuigen en patrouilleboten.")
    choose(page, "Gemeente", "Emmen")
    choose(page, "Capabilities (wat u kunt)", "Voertuigpantsering")
    page.get_by_role("button", name="Indienen").click()
    page.get_by_text("Ingediend. Status: in behandeling.").wait_for()
    shot(page, "bedrijf-registreren")
    logout(page)
    login(page, stack.tokens["admin"])
    goto(page, "Beheer")
    page.get_by_text("Ingediend door").wait_for()
    page.get_by_test_id("stDataFrame").wait_for()  # the diff
    picked = page.get_by_test_id("stSelectbox").first.evaluate(
        "e => e.innerText + [...e.querySelectorAll('input')].map(i => i.value).join(' ')")
    assert "Drentse Keramiek Pantser BV" in picked
    shot(page, "beheer")
    page.get_by_role("button", name="Goedkeuren").click()
    page.get_by_text("Goedgekeurd.").wait_for(timeout=150_000)  # embeds the new profile
    goto(page, "Leveranciers zoeken")
    search(page, "keramische pantserplaten voor militaire voertuigen")
    page.locator("h4", has_text="Drentse Keramiek Pantser BV").first.wait_for()
    goto(page, "Loket")
    page.get_by_label("Titel").fill("Keramisch pantser voor patrouilleboten")
    page.get_by_label("Toelichting").fill(
        "Wij bieden lichtgewicht keramische pantserplaten aan voor schepen van de marine.")
    page.get_by_role("button", name="Versturen").click()
    page.get_by_text("Verstuurd.").wait_for(timeout=150_000)
    # the queue opens the newest item with its reverse matches
    page.get_by_text(re.compile(r"^(NLD-gebieden|Clusters|Kennispartners|Begrippen in de "
                                r"vraag|Nog geen verwante)")).first.wait_for()
    shot(page, "loket")


def test_html_payload_in_a_profile_renders_as_text(page: Any, stack: Stack) -> None:
    approve_via_api(stack, "99000092", {
        "name": f"Payload {PAYLOAD} BV", "municipality": "assen",
        "description": f"Payload {PAYLOAD} levert nachtzichtapparatuur en warmtebeeldcamera's "
                       "voor voertuigbemanningen.",
        "capabilities": ["night-vision"]})
    login(page, stack.tokens["bizdev"])
    goto(page, "Leveranciers zoeken")
    search(page, "nachtzichtapparatuur warmtebeeldcamera voertuigbemanningen payload")
    heading = page.locator("h4", has_text="Payload").first
    heading.wait_for()
    assert PAYLOAD in heading.inner_text()  # shown literally, as text
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("main script").count() == 0
    page.wait_for_timeout(500)
    assert page.dialogs == []
    shot(page, "xss-als-tekst")


def tab_shot(pg: Any, name: str) -> None:
    """`shot` for a page with tabs: the charts of the tabs not shown stay hidden."""
    pg.wait_for_timeout(400)
    assert pg.get_by_test_id("stException").count() == 0
    assert pg.get_by_text("Er ging iets mis op deze pagina").count() == 0
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_introduce_from_a_search_result_and_follow_it_in_the_monitor(page: Any, stack: Stack
                                                                     ) -> None:
    """Issue 21: one click on a search result records an introduction; it is advanced on the
    Monitor page and shows in the funnel and the KPIs; the policy officer sees the KPIs and
    moves one of the agenda's asks."""
    login(page, stack.tokens["bizdev"])
    goto(page, "Leveranciers zoeken")
    search(page, QUESTION)
    card = page.locator(".st-key-hit_99000001")
    card.get_by_role("button", name="Introduceren").click()
    card.get_by_role("button", name="Geïntroduceerd (voorgesteld)").wait_for()
    goto(page, "Monitor")
    page.get_by_role("tab", name="Introducties").click()
    listed = page.locator(".st-key-intro_list")
    listed.get_by_text(re.compile(r"Teijin Aramid — voorgesteld")).wait_for()
    page.get_by_role("button", name="Stap vastleggen").click()  # first next step: geaccepteerd
    listed.get_by_text(re.compile(r"Teijin Aramid — geaccepteerd")).wait_for()
    tab_shot(page, "monitor-introducties")
    page.get_by_role("tab", name="Kengetallen").click()
    funnel = page.locator(".st-key-kpi_funnel_box")
    funnel.locator("svg.main-svg").first.wait_for()
    assert "geaccepteerd" in funnel.inner_text()
    metric = page.get_by_test_id("stMetric").filter(has_text="Introducties")
    assert metric.get_by_test_id("stMetricValue").inner_text() == "1"
    tab_shot(page, "monitor-kengetallen")
    bizdev = {"Authorization": f"Bearer {stack.tokens['bizdev']}"}
    kpis = httpx.get(f"{stack.api}/kpis", headers=bizdev, timeout=30).json()
    reached = {i["status"]: i["reached"] for i in kpis["introductions"]}
    assert reached["voorgesteld"] == 1 and reached["geaccepteerd"] == 1
    assert reached["gesprek"] == 0

    logout(page)
    login(page, stack.tokens["policy"])
    goto(page, "Monitor")
    metric = page.get_by_test_id("stMetric").filter(has_text="Introducties")
    assert metric.get_by_test_id("stMetricValue").inner_text() == "1"
    assert page.get_by_role("tab", name="Introducties").count() == 0  # no personal data
    page.get_by_role("tab", name="Witte vlekken").click()
    page.get_by_text("Witte vlekken per acquisitiesector").first.wait_for()
    page.get_by_role("tab", name="Agenda").click()
    page.get_by_text("1.3 Ontwikkelen Rundedal").click()
    form = page.locator(".st-key-askbox_p1-3")
    form.get_by_text("in uitvoering", exact=True).click()
    form.get_by_label("Toelichting").fill("Verkenning met Defensie gestart")
    form.get_by_role("button", name="Status opslaan").click()
    page.get_by_text(re.compile(r"1\.3 Ontwikkelen Rundedal .* — in uitvoering")).wait_for()
    tab_shot(page, "monitor-agenda")
    policy = {"Authorization": f"Bearer {stack.tokens['policy']}"}
    asks = httpx.get(f"{stack.api}/agenda", headers=policy, timeout=30).json()
    assert next(a for a in asks if a["id"] == "p1-3")["status"] == "in_uitvoering"
