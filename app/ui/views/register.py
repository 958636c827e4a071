"""Bedrijf registreren / mijn profiel: a company keeps its own profile. Capabilities are
picked from the taxonomy (type a Dutch or English word); the API checks the profile with the
ontology's SHACL shapes and its nl/en messages are shown next to the fields; a preview shows
how Defence would find the company (the themes and NLD areas of matching past demand, never
the questions themselves); the submissions' status is listed."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import streamlit as st

from app.ui import common as c
from app.ui.client import ApiError
from app.ui.places import municipalities

FIELDS = ("kvk_number", "name", "description", "description_en", "municipality", "website",
          "employees", "capabilities")
STATUS_ICONS = {"pending": "⏳", "approved": "✅", "rejected": "❌"}


def field_errors(name: str) -> None:
    """The API's messages for one field from the last submission, under that field."""
    for e in st.session_state.get("reg_errors", {}).get(name, []):
        st.error(e, icon=":material/error:")


def current_profile(kvk: str | None) -> dict[str, Any] | None:
    if not kvk:
        return None
    try:
        return c.client().company(kvk)
    except ApiError as e:
        if e.kind not in ("not_found", "not_available"):
            c.show_error(e)
        return None


def recognised_concepts(text: str, caps: dict[str, str]) -> list[str]:
    """Capability labels (nl or en) that occur in the text: the same words the matcher's
    label signal looks for, found here without calling the matcher."""
    low = text.lower()
    out = []
    for cid, lab in caps.items():
        for part in lab.split(" / "):
            p = part.strip().lower()
            if len(p) >= 4 and re.search(r"(?<!\w)" + re.escape(p), low):
                out.append(cid)
                break
    return out


def preview(description: str, chosen: list[str], caps: dict[str, str]) -> None:
    st.subheader(c.tr("reg.preview"))
    if not description.strip() and not chosen:
        st.caption(c.tr("reg.preview_empty"))
        return
    found = recognised_concepts(description, caps)
    wanted = list(dict.fromkeys([*chosen, *found]))
    if wanted:
        st.markdown(f"**{c.tr('reg.preview_concepts')}:** "
                    + ", ".join(c.md(caps.get(x, x)) for x in wanted))
    if not description.strip():
        st.caption(c.tr("reg.preview_how"))
        return
    try:
        result = c.client().registration_preview(description, chosen)
    except ApiError as e:
        c.show_error(e, what=c.tr("reg.preview"))
        return
    # Themes and NLD areas of matching demand only: a company never sees others' questions.
    themes = list(result.get("demand_themes") or [])
    areas = list(result.get("demand_areas") or [])
    if themes:
        st.markdown(f"**{c.tr('reg.preview_themes')}:** "
                    + ", ".join(c.md(c.label(x)) for x in themes))
        if areas:
            st.markdown(f"**{c.tr('reg.preview_areas')}:** "
                        + ", ".join(c.md(c.label(a, "name")) for a in areas))
    else:
        st.caption(c.tr("reg.preview_no_questions"))


def status_list(kvk: str | None) -> None:
    st.subheader(c.tr("reg.status"))
    try:
        regs = c.client().registrations()
    except ApiError as e:
        c.show_error(e, what=c.tr("reg.status"))
        return
    if kvk and c.role() == "company":
        regs = [r for r in regs if r.get("kvk_number") == kvk]
    if not regs:
        st.caption(c.tr("reg.none"))
        return
    st.dataframe(pd.DataFrame([{
        c.tr("col.status"): f"{STATUS_ICONS.get(r.get('status', ''), '')} "
                            f"{c.tr('status.' + str(r.get('status')))}",
        "KvK": r.get("kvk_number"),
        c.tr("col.name"): (r.get("profile") or {}).get("name"),
        c.tr("col.submitted"): r.get("submitted_at"),
        c.tr("col.note"): r.get("decision_note") or ""} for r in regs]), hide_index=True)


VIS_FIELDS = ("description", "description_en", "activity", "website", "employees",
              "sbi_code", "municipality", "capabilities", "compliance", "defence_experience")
LEVELS = ("public", "defence", "hidden")
EXPERIENCE = ("unknown", "none", "indirect", "direct")


def visibility_form(kvk: str, profile: dict[str, Any]) -> None:
    """Per field: public, Defence only or administrators only; and the defence experience.
    Both apply at once (no review): they say who may see the profile, not what it claims."""
    st.subheader(c.tr("vis.title"))
    st.caption(c.tr("vis.intro"))
    levels = profile.get("visibility") or {}
    with st.form("visibility"):
        cols = st.columns(2)
        chosen: dict[str, str] = {}
        for i, f in enumerate(VIS_FIELDS):
            now = levels.get(f, "public")
            chosen[f] = cols[i % 2].selectbox(
                c.tr(f"field.{f}"), LEVELS, index=LEVELS.index(now) if now in LEVELS else 0,
                format_func=lambda v: c.tr(f"vis.{v}"), key=f"vis_{f}")
        exp_now = profile.get("defence_experience") or "unknown"
        exp = st.selectbox(c.tr("field.defence_experience"), EXPERIENCE,
                           index=EXPERIENCE.index(exp_now) if exp_now in EXPERIENCE else 0,
                           format_func=lambda v: c.tr(f"exp.{v}"), key="vis_experience")
        saved = st.form_submit_button(c.tr("vis.save"))
    if saved:
        try:
            c.client().set_visibility(kvk, chosen)
            if exp != exp_now:
                c.client().set_defence_experience(kvk, None if exp == "unknown" else exp)
        except ApiError as e:
            c.show_error(e)
        else:
            st.success(c.tr("vis.saved"))


def claims_form(kvk: str, profile: dict[str, Any]) -> None:
    """The company's compliance claims with their state, and a form to declare one with its
    expiry date and evidence document."""
    from app.ui.views.search import CLAIMS, trust_badges

    st.subheader(c.tr("claims.title"))
    st.caption(c.tr("claims.intro"))
    row = trust_badges({"compliance": profile.get("compliance_claims")})
    if row:
        st.markdown(" ".join(f":{colour}-badge[{c.md(text)}]" for text, colour in row))
    with st.form("claims", clear_on_submit=True):
        col1, col2, col3 = st.columns(3)
        kind = col1.selectbox(c.tr("claims.kind"), list(CLAIMS),
                              format_func=lambda k: CLAIMS[k][0 if c.lang() == "nl" else 1],
                              key="claim_kind")
        value = col2.text_input(c.tr("claims.value"), max_chars=100, key="claim_value")
        expires = col3.date_input(c.tr("claims.expires"), value=None, key="claim_expires")
        upload = st.file_uploader(c.tr("claims.file"), type=["pdf", "png", "jpg", "jpeg"],
                                  key="claim_file")
        saved = st.form_submit_button(c.tr("claims.save"))
    if saved:
        try:
            c.client().declare_claim(kvk, kind, value.strip() or None,
                                     expires.isoformat() if expires else None)
            if upload is not None:
                name = re.sub(r"[^\w .()-]", "_", upload.name).lstrip(" .()-")[:200]
                c.client().upload_evidence(kvk, kind, name or "evidence", upload.type or "",
                                           upload.getvalue())
        except ApiError as e:
            c.show_error(e)
        else:
            st.success(c.tr("vis.saved"))


def render() -> None:
    c.page_header("page.register", "reg.intro")
    me = c.user() or {}
    own_kvk = me.get("kvk_number") if c.role() == "company" else None
    try:
        caps = c.capability_options()
    except ApiError as e:
        c.show_error(e, what=c.tr("reg.capabilities"))
        caps = {}
    profile = current_profile(own_kvk) or {}
    if profile:
        st.success(c.tr("reg.known", name=profile.get("name")))
        prov = profile.get("provenance") or {}
        if prov.get("stale"):
            st.warning(c.tr("reg.stale"))
    munis = {str(r.id): str(r.name) for r in municipalities().itertuples()}
    have_caps = [x.get("id") for x in (profile.get("declared_capabilities") or [])
                 if x.get("id") in caps]
    with st.form("registration"):
        kvk = st.text_input(c.tr("reg.kvk"), value=own_kvk or "", disabled=bool(own_kvk),
                            max_chars=8, key="reg_kvk")
        field_errors("kvk_number")
        name = st.text_input(c.tr("reg.name"), value=profile.get("name") or "", key="reg_name")
        field_errors("name")
        description = st.text_area(c.tr("reg.description"),
                                   value=profile.get("description") or "", height=140,
                                   key="reg_description")
        field_errors("description")
        description_en = st.text_area(c.tr("reg.description_en"),
                                      value=profile.get("description_en") or "", height=100,
                                      key="reg_description_en")
        field_errors("description_en")
        col1, col2, col3 = st.columns(3)
        current_muni = (profile.get("municipality") or {}).get("id")
        options = ["", *munis]
        with col1:
            muni = st.selectbox(c.tr("reg.municipality"), options,
                                index=options.index(current_muni) if current_muni in options
                                else 0, format_func=lambda m: munis.get(m, "—"),
                                key="reg_municipality")
            field_errors("municipality")
        with col2:
            website = st.text_input(c.tr("reg.website"), value=profile.get("website") or "",
                                    key="reg_website")
            field_errors("website")
        with col3:
            employees = st.number_input(c.tr("reg.employees"), min_value=0, step=1,
                                        value=profile.get("employees"), key="reg_employees")
            field_errors("employees")
        chosen = st.multiselect(c.tr("reg.capabilities"), list(caps), default=have_caps,
                                format_func=lambda x: caps.get(x, x),
                                placeholder=c.tr("search.capability_hint"), key="reg_caps")
        field_errors("capabilities")
        field_errors("record")
        submitted = st.form_submit_button(c.tr("reg.submit"), type="primary")
    if submitted:
        body = {"kvk_number": (own_kvk or kvk).strip() or None, "name": name or None,
                "description": description or None, "description_en": description_en or None,
                "municipality": muni or None, "website": website or None,
                "employees": int(employees) if employees is not None else None,
                "capabilities": chosen}
        try:
            reg = c.client().submit_registration(body)
        except ApiError as e:
            if e.kind == "invalid" and e.errors:
                errs: dict[str, list[str]] = {}
                for fe in e.errors:
                    key = fe.field.split(".")[0] if fe.field.split(".")[0] in FIELDS \
                        else "record"
                    errs.setdefault(key, []).append(fe.message(c.lang()))
                st.session_state["reg_errors"] = errs
                st.rerun()
            c.show_error(e)
        else:
            st.session_state["reg_errors"] = {}
            st.session_state["reg_last"] = reg
            st.rerun()
    last = st.session_state.get("reg_last")
    if last:
        st.success(c.tr("reg.submitted", status=c.tr(f"status.{last.get('status')}")))
    elif st.session_state.get("reg_errors"):
        st.error(c.tr("reg.fix_fields"))
    if own_kvk and profile:
        st.divider()
        visibility_form(own_kvk, profile)
        st.divider()
        claims_form(own_kvk, profile)
    st.divider()
    preview(st.session_state.get("reg_description") or "",
            list(st.session_state.get("reg_caps") or []), caps)
    st.divider()
    status_list(own_kvk)
