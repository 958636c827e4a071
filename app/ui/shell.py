"""The multipage app: sidebar (language, login) and `st.navigation` with the pages the
caller's role may see. Every page runs inside a guard, so an unexpected error is shown as a
friendly message and logged, never as a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable

import streamlit as st

from app.ui import common as c
from app.ui.views import (
    admin,
    clusters,
    company,
    desk,
    home,
    loket,
    monitor,
    patterns,
    register,
    report,
    scouting,
    search,
    signup,
)

log = logging.getLogger(__name__)

# page key -> (render, url path, icon, roles that see it; None = everyone, also anonymous;
# "guest" = only without a token)
PAGES: dict[str, tuple[Callable[[], None], str, str, tuple[str, ...] | None]] = {
    "home": (home.render, "start", ":material/home:", None),
    "search": (search.render, "zoeken", ":material/search:", ("bizdev", "scout", "admin")),
    "clusters": (clusters.render, "clusters", ":material/hub:", None),
    "company": (company.render, "bedrijf", ":material/business:", None),
    "signup": (signup.render, "aanmelden", ":material/how_to_reg:", ("guest",)),
    "register": (register.render, "registreren", ":material/edit_note:", ("company", "admin")),
    "loket": (loket.render, "loket", ":material/inbox:", ("company", "bizdev", "admin")),
    # the desk without an account; a company has its own loket, bizdev and admin the queue,
    # so they would see two pages to send the same thing (both were named "Loket")
    "report": (report.render, "melden", ":material/support_agent:", ("guest", "scout", "policy")),
    "desk": (desk.render, "balie", ":material/move_to_inbox:", ("bizdev", "admin")),
    "patterns": (patterns.render, "vraagpatronen", ":material/monitoring:",
                 ("bizdev", "scout", "admin")),
    "monitor": (monitor.render, "monitor", ":material/insights:",
                ("bizdev", "scout", "admin", "policy")),
    "scouting": (scouting.render, "scouting", ":material/travel_explore:",
                 ("bizdev", "scout", "admin")),
    "admin": (admin.render, "beheer", ":material/admin_panel_settings:", ("admin",)),
}


def visible_pages(role: str | None) -> list[str]:
    return [k for k, (_, _, _, roles) in PAGES.items()
            if roles is None or role in roles or (role is None and "guest" in roles)]


def guarded(key: str) -> Callable[[], None]:
    fn = PAGES[key][0]

    def run() -> None:
        try:
            fn()
        except Exception:  # the last line of defence: a message, never a traceback
            log.exception("page %s failed", key)
            st.error(c.tr("err.unexpected"), icon=":material/error:")

    run.__name__ = f"page_{key}"
    return run


def sidebar() -> None:
    with st.sidebar:
        st.radio("Taal / Language", ["nl", "en"], key="lang", horizontal=True,
                 format_func=lambda x: {"nl": "Nederlands", "en": "English"}[x])
        u = c.user()
        if u:
            st.markdown(c.tr("login.as", name=c.md(u.get("name")),
                             role=c.tr(f"role.{c.role()}")))
            if st.button(c.tr("login.logout"), key="logout"):
                c.logout()
                st.rerun()
        else:
            with st.form("login"):
                token = st.text_input(c.tr("login.token"), type="password", key="token_input",
                                      placeholder="pa_…")
                if st.form_submit_button(c.tr("login.submit")):
                    if c.login(token):
                        st.rerun()
            if st.session_state.get("login_error"):
                st.error(st.session_state["login_error"])
        st.caption(c.tr("app.api_at", url=c.api_url()))


def run() -> None:
    st.set_page_config(page_title="Paraat", page_icon=":material/shield:", layout="wide")
    if "lang" not in st.session_state:
        st.session_state["lang"] = "nl"
    c.api_url()
    sidebar()
    pages = [st.Page(guarded(k), title=c.tr(f"page.{k}"), url_path=PAGES[k][1],
                     icon=PAGES[k][2], default=(k == "home"))
             for k in visible_pages(c.role())]
    st.navigation(pages).run()


def run_page(key: str) -> None:
    """One page without navigation (tests and embedding)."""
    if "lang" not in st.session_state:
        st.session_state["lang"] = "nl"
    guarded(key)()
