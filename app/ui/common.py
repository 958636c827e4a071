"""What every page shares: the session's API client, its user and language, safe text output
and the one place where API errors become friendly messages."""

from __future__ import annotations

import argparse
import html
import logging
import re
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from app.ui.client import ApiClient, ApiError
from app.ui.i18n import t
from core.settings import UiSettings

log = logging.getLogger(__name__)

T = TypeVar("T")
DEFAULT_API = "http://127.0.0.1:8000"
ROLES = ("admin", "bizdev", "scout", "company", "policy")


def api_url() -> str:
    """`--api` after `--` on the streamlit command line (`paraat serve ui --api`), else
    PARAAT_UI_API_URL, else the local default. A test may preset `api_url` in the session."""
    if "api_url" not in st.session_state:
        parser = argparse.ArgumentParser(add_help=False)
        parser.add_argument("--api", default=None)
        args, _ = parser.parse_known_args(sys.argv[1:])
        # Only the UI's own section: this process needs no other setting to be valid.
        url = args.api or UiSettings().api_url or DEFAULT_API
        st.session_state["api_url"] = str(url).rstrip("/")
    return str(st.session_state["api_url"])


def lang() -> str:
    return "en" if st.session_state.get("lang") == "en" else "nl"


def tr(key: str, **kw: Any) -> str:
    return t(key, lang(), **kw)


def client() -> ApiClient:
    return ApiClient(api_url(), st.session_state.get("token"))


def user() -> dict[str, Any] | None:
    u = st.session_state.get("user")
    return u if isinstance(u, dict) else None


def role() -> str | None:
    u = user()
    r = u.get("role") if u else None
    return r if r in ROLES else None


def login(token: str) -> bool:
    """Check the token with `GET /me`; on success keep token and user in the session."""
    token = token.strip()
    if not token:
        st.session_state["login_error"] = tr("login.empty")
        return False
    try:
        me = ApiClient(api_url(), token).me()
    except ApiError as e:
        st.session_state["login_error"] = (tr("login.bad_token") if e.kind == "unauthorized"
                                           else error_text(e))
        return False
    st.session_state["token"] = token
    st.session_state["user"] = me
    st.session_state.pop("login_error", None)
    st.session_state.pop("cache", None)
    return True


def logout() -> None:
    for k in ("token", "user", "cache"):
        st.session_state.pop(k, None)


def error_text(e: ApiError) -> str:
    key = f"err.{e.kind}"
    msg = tr(key)
    if msg == key:
        msg = tr("err.unknown")
    return msg


def show_error(e: ApiError, *, what: str | None = None) -> None:
    """A friendly message (never a traceback). A missing endpoint is an info, not an error."""
    text = error_text(e)
    if what:
        text = f"{what}: {text}"
    if e.kind == "unauthorized" and st.session_state.get("token"):
        text += " " + tr("err.login_again")
    if e.kind in ("not_available", "empty_graph"):
        st.info(text, icon=":material/info:")
    else:
        st.error(text, icon=":material/error:")
    log.info("API error shown to user: %s", e)


def call(fn: Callable[..., T], *args: Any, what: str | None = None, **kw: Any) -> T | None:
    """Run one API call; on failure show the friendly message and return None."""
    try:
        return fn(*args, **kw)
    except ApiError as e:
        show_error(e, what=what)
        return None


def cached(key: str, fn: Callable[[], T], ttl: float = 300.0) -> T:
    """Per-session cache of slow-changing lists (taxonomy, clusters). Errors are not cached."""
    store: dict[str, tuple[float, Any]] = st.session_state.setdefault("cache", {})
    hit = store.get(key)
    if hit is not None and time.monotonic() - hit[0] < ttl:
        return hit[1]
    value = fn()
    store[key] = (time.monotonic(), value)
    return value


# --------------------------------------------------------------------------- safe text

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:>])")


def md(text: Any) -> str:
    """User or API text made inert for st.markdown: HTML is escaped to entities (shown as
    the literal characters) and markdown syntax is backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(str(text if text is not None else ""),
                                                quote=False))


def highlight(sentence: str, spans: list[list[Any]]) -> str:
    """A sentence with the matcher's [start, end, what] spans highlighted, as safe markdown
    (Streamlit's background-colour directive; no raw HTML)."""
    out: list[str] = []
    pos = 0
    for span in sorted(spans, key=lambda s: (int(s[0]), -int(s[1]))):
        a, b = int(span[0]), int(span[1])
        if a < pos or a >= b or b > len(sentence):
            continue
        out.append(md(sentence[pos:a]))
        out.append(f":orange-background[**{md(sentence[a:b])}**]")
        pos = b
    out.append(md(sentence[pos:]))
    return "".join(out)


def label(item: dict[str, Any], base: str = "label") -> str:
    """The item's label in the UI language (`label_nl`/`label_en` or `name_nl`/`name_en`)."""
    for key in (f"{base}_{lang()}", f"{base}_nl", f"{base}_en", "name", "label", "id"):
        v = item.get(key)
        if v:
            return str(v)
    return ""


def flatten_capabilities(nodes: list[dict[str, Any]], depth: int = 0
                         ) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for n in nodes:
        out.append({**n, "depth": depth})
        out.extend(flatten_capabilities(list(n.get("narrower") or []), depth + 1))
    return out


def capability_options() -> dict[str, str]:
    """id -> 'Dutch label / English label' for every capability, searchable in both
    languages by typing in a multiselect; empty when the taxonomy is unavailable."""
    tax = cached("taxonomy", lambda: client().taxonomy(), ttl=3600)
    caps = flatten_capabilities(list(tax.get("capabilities") or []))
    out: dict[str, str] = {}
    for c in sorted(caps, key=lambda c: str(c.get("label_nl") or c["id"]).lower()):
        nl, en = c.get("label_nl") or c["id"], c.get("label_en") or c["id"]
        first, second = (en, nl) if lang() == "en" else (nl, en)
        out[str(c["id"])] = first if first == second else f"{first} / {second}"
    return out


def fmt(options: dict[str, str]) -> Callable[[Any], str]:
    """A `format_func` showing an option's display name (the key when unknown)."""
    return lambda k: str(options.get(k, k))


def page_header(title_key: str, intro_key: str | None = None) -> None:
    st.title(tr(title_key))
    if intro_key:
        st.caption(tr(intro_key))
