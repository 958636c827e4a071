"""The loket without an account (issue 20): anyone sends a question, idea or offer with an
e-mail address; the answer names the desks it goes to and why. The mail's link opens this page
with `?code=…`, which confirms the address so the desks see the message."""

from __future__ import annotations

from typing import Any

import streamlit as st

from app.ui import common as c

KINDS = ("vraag", "idee", "aanbod")


def _routes(routes: list[dict[str, Any]]) -> None:
    for r in routes:
        name = r.get(f"name_{c.lang()}") or r.get("name_nl") or r.get("desk")
        reason = r.get("reason_en") if c.lang() == "en" else r.get("reason")
        st.markdown(f"- **{c.md(name)}**: {c.md(reason or '')}")


def confirm(code: str) -> None:
    done = st.session_state.get("report_confirmed")
    if done is None:
        done = c.call(c.client().confirm_loket, code, what=c.tr("report.confirm"))
        if done is None:
            return
        st.session_state["report_confirmed"] = done
    st.success(c.tr("report.confirmed"), icon=":material/check_circle:")
    _routes([r for r in done.get("routed_to") or [] if r.get("active", True)])


def desks() -> None:
    rows = c.call(lambda: c.cached("desks", c.client().desks))
    if not rows:
        return
    with st.expander(c.tr("report.desks")):
        for d in rows:
            name = d.get(f"name_{c.lang()}") or d.get("name_nl")
            text = d.get(f"description_{c.lang()}") or d.get("description_nl")
            st.markdown(f"**{c.md(name)}**: {c.md(text)}")


def render() -> None:
    c.page_header("page.report", "report.intro")
    code = st.query_params.get("code")
    if code:
        confirm(str(code))
        return
    with st.form("report_new"):
        kind = st.radio(c.tr("loket.kind"), KINDS, horizontal=True, key="report_kind",
                        format_func=lambda k: c.tr(f"loket.kind.{k}"))
        title = st.text_input(c.tr("loket.title"), max_chars=300, key="report_title")
        text = st.text_area(c.tr("loket.text"), height=140, key="report_text")
        email = st.text_input(c.tr("signup.email"), max_chars=254, key="report_email")
        kvk = st.text_input(c.tr("report.kvk"), max_chars=8, key="report_kvk")
        sent = st.form_submit_button(c.tr("loket.send"), type="primary")
    if sent:
        if not title.strip() or not text.strip() or not email.strip():
            st.warning(c.tr("loket.need_text"))
        else:
            out = c.call(c.client().submit_loket_anonymous, kind, title.strip(), text.strip(),
                         email.strip(), kvk.strip() or None)
            if out is not None:
                st.success(c.tr("report.sent"), icon=":material/mail:")
                _routes(out.get("routed_to") or [])
    desks()
