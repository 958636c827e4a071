"""Bedrijf registreren without a token (issue 20): ask for access with KvK number, name,
contact and e-mail; the mail's link opens this page with `?code=…`, which is exchanged for the
company's token (shown once, with a button to log in with it)."""

from __future__ import annotations

import streamlit as st

from app.ui import common as c


def _code_from_link() -> str:
    code = st.query_params.get("code")
    return str(code) if code else ""


def verify_form(prefill: str) -> None:
    with st.form("signup_verify"):
        code = st.text_input(c.tr("signup.code"), value=prefill, key="signup_code")
        go = st.form_submit_button(c.tr("signup.verify"), type="primary")
    if go and code.strip():
        out = c.call(c.client().verify_signup, code.strip())
        if out is None:
            return
        if out.get("token"):
            st.session_state["signup_token"] = out["token"]
        else:
            st.info(c.tr("signup.review"), icon=":material/hourglass_top:")
    token = st.session_state.get("signup_token")
    if token:
        st.success(c.tr("signup.token"), icon=":material/key:")
        st.code(token, language=None)
        if st.button(c.tr("signup.login"), key="signup_login") and c.login(token):
            st.session_state.pop("signup_token", None)
            st.rerun()


def request_form() -> None:
    with st.form("signup_request"):
        kvk = st.text_input(c.tr("signup.kvk"), max_chars=8, key="signup_kvk")
        company = st.text_input(c.tr("signup.company"), max_chars=200, key="signup_company")
        contact = st.text_input(c.tr("signup.contact"), max_chars=200, key="signup_contact")
        email = st.text_input(c.tr("signup.email"), max_chars=254, key="signup_email")
        sent = st.form_submit_button(c.tr("signup.send"), type="primary")
    if sent:
        if not all(v.strip() for v in (kvk, company, contact, email)):
            st.warning(c.tr("signup.need_all"))
            return
        out = c.call(c.client().signup, kvk.strip(), company.strip(), email.strip(),
                     contact.strip())
        if out is not None:
            st.success(c.tr("signup.mailed"), icon=":material/mail:")


def render() -> None:
    c.page_header("page.signup", "signup.intro")
    code = _code_from_link()
    if code or st.session_state.get("signup_token"):
        verify_form(code)
        return
    request_form()
    with st.expander(c.tr("signup.have_code")):
        verify_form("")
