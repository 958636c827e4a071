"""Beheer (admin): pending registrations with a diff to approve or reject, users and tokens,
a registry import with a progress bar and a rejected-rows download, and the audit log."""

from __future__ import annotations

import json
import time
from typing import Any

import pandas as pd
import streamlit as st

from app.ui import common as c
from app.ui.client import ApiError

SECTIONS = ("registrations", "users", "import", "audit")
IMPORT_WAIT_S = 600


def _show(v: Any) -> str:
    if v is None or v == [] or v == "":
        return "—"
    if isinstance(v, list):
        return ", ".join(str(x) for x in v)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def diff_frame(reg: dict[str, Any]) -> pd.DataFrame:
    rows = reg.get("diff") or []
    return pd.DataFrame([{c.tr("col.field"): r.get("field"), c.tr("col.before"):
                          _show(r.get("before")), c.tr("col.after"): _show(r.get("after"))}
                         for r in rows], columns=[c.tr("col.field"), c.tr("col.before"),
                                                  c.tr("col.after")])


def registrations() -> None:
    cl = c.client()
    try:
        pending = cl.registrations(status="pending")
    except ApiError as e:
        c.show_error(e, what=c.tr("admin.registrations"))
        return
    if not pending:
        st.info(c.tr("admin.no_pending"))
        return
    # A stable order, so the picked registration and its buttons survive the rerun a click
    # causes even when the API lists them in another order.
    pending = sorted(pending, key=lambda r: (str(r.get("submitted_at")), str(r["id"])))
    ids = {str(r["id"]): f"{(r.get('profile') or {}).get('name') or '?'} — KvK "
                         f"{r.get('kvk_number')} ({c.tr('kind.' + str(r.get('kind')))})"
           for r in pending}
    pick = st.selectbox(c.tr("admin.pick_registration"), list(ids), format_func=c.fmt(ids),
                        key="admin_reg")
    reg = c.call(cl.registration, pick) if pick else None
    if not reg:
        return
    st.caption(c.tr("admin.submitted_by", who=reg.get("submitted_by"),
                    at=reg.get("submitted_at")))
    st.dataframe(diff_frame(reg), hide_index=True)
    col1, col2 = st.columns(2)
    if col1.button(c.tr("admin.approve"), type="primary", key="approve"):
        if c.call(cl.approve, pick) is not None:
            st.session_state["admin_flash"] = c.tr("admin.approved")
            st.rerun()
    reason = col2.text_input(c.tr("admin.reason"), key="reason")
    if col2.button(c.tr("admin.reject"), key="reject"):
        if not reason.strip():
            col2.warning(c.tr("admin.need_reason"))
        elif c.call(cl.reject, pick, reason.strip()) is not None:
            st.session_state["admin_flash"] = c.tr("admin.rejected")
            st.rerun()


def users() -> None:
    cl = c.client()
    try:
        rows = cl.users()
    except ApiError as e:
        c.show_error(e, what=c.tr("admin.users"))
        rows = None
    if rows is not None:
        st.dataframe(pd.DataFrame(rows), hide_index=True)
    with st.form("new_user", clear_on_submit=True):
        st.markdown(f"**{c.tr('admin.new_user')}**")
        col1, col2, col3 = st.columns(3)
        name = col1.text_input(c.tr("col.name"))
        role = col2.selectbox(c.tr("admin.role"), c.ROLES,
                              format_func=lambda r: c.tr(f"role.{r}"))
        kvk = col3.text_input("KvK", max_chars=8)
        made = st.form_submit_button(c.tr("admin.create_user"))
    if made:
        created = c.call(cl.create_user, name, role, kvk or None)
        if created:
            st.success(c.tr("admin.token_once"))
            st.code(str(created.get("token") or ""), language=None)
    if rows:
        ids = {str(u["id"]): f"{u.get('name')} ({u.get('role')})" for u in rows
               if not u.get("revoked")}
        if ids:
            col1, col2 = st.columns([3, 1])
            pick = col1.selectbox(c.tr("admin.revoke_pick"), list(ids), format_func=c.fmt(ids))
            col2.write("")
            if col2.button(c.tr("admin.revoke")) and c.call(cl.delete_user, pick) is not None:
                st.session_state["admin_flash"] = c.tr("admin.revoked")
                st.rerun()


def rejected_csv(status: dict[str, Any]) -> bytes | None:
    rows = status.get("rejections") or status.get("rejected_rows") or []
    if not rows:
        return None
    return pd.DataFrame(rows).to_csv(index=False, sep=";").encode("utf-8-sig")


def _progress(status: dict[str, Any]) -> float:
    if isinstance(status.get("progress"), int | float):
        p = float(status["progress"])
        return p / 100 if p > 1 else p
    done, total = status.get("done") or status.get("processed"), status.get("total") \
        or status.get("rows")
    if isinstance(done, int) and isinstance(total, int) and total > 0:
        return min(1.0, done / total)
    return 1.0 if status.get("status") in ("done", "finished", "completed", "failed") else 0.0


def import_registry() -> None:
    file = st.file_uploader(c.tr("admin.import_file"), type=["csv", "xlsx", "txt"],
                            key="import_file")
    mapping = st.file_uploader(c.tr("admin.import_mapping"), type=["yaml", "yml"],
                               key="import_mapping")
    dry = st.checkbox(c.tr("admin.dry_run"), value=True, key="import_dry")
    if file is not None and st.button(c.tr("admin.import_start"), type="primary"):
        cl = c.client()
        started = c.call(cl.start_import, file.name, file.getvalue(), dry_run=dry,
                         mapping=mapping.getvalue() if mapping is not None else None)
        if not started:
            return
        status: dict[str, Any] = started
        bar = st.progress(0.0, text=c.tr("admin.import_running"))
        deadline = time.monotonic() + IMPORT_WAIT_S
        while status.get("status") not in ("done", "finished", "completed", "failed") \
                and status.get("id") and time.monotonic() < deadline:
            bar.progress(_progress(status), text=c.tr("admin.import_running"))
            time.sleep(0.5)
            got = c.call(cl.import_status, str(status["id"]))
            if got is None:
                return
            status = got
        bar.progress(_progress(status), text=c.tr("admin.import_done"))
        st.session_state["import_status"] = status
    shown = st.session_state.get("import_status")
    if isinstance(shown, dict):
        summary = {k: v for k, v in shown.items()
                   if isinstance(v, int | float | str | bool) and k != "id"}
        summary.update({k: v for k, v in (shown.get("summary") or {}).items()
                        if isinstance(v, int | float | str | bool)})
        st.dataframe(pd.DataFrame([summary]), hide_index=True)
        if shown.get("error"):
            st.error(str(shown["error"]))
        data = rejected_csv(shown)
        if data:
            st.download_button(c.tr("admin.rejected_download"), data, "afgewezen-rijen.csv",
                               "text/csv")


def audit() -> None:
    entity = st.text_input(c.tr("admin.audit_entity"), key="audit_entity")
    page = st.number_input(c.tr("admin.page"), min_value=1, value=1, step=1, key="audit_page")
    body = c.call(c.client().audit, entity or None, 100, (int(page) - 1) * 100,
                  what=c.tr("admin.audit"))
    if body is None:
        return
    items = body.get("items", []) if isinstance(body, dict) else body
    if not items:
        st.info(c.tr("admin.audit_empty"))
        return
    df = pd.DataFrame(items)
    for col in ("before", "after"):
        if col in df:
            df[col] = df[col].map(_show)
    st.dataframe(df, hide_index=True)
    if isinstance(body, dict) and body.get("total") is not None:
        st.caption(c.tr("admin.total", n=body["total"]))


def render() -> None:
    c.page_header("page.admin", "admin.intro")
    flash = st.session_state.pop("admin_flash", None)
    if flash:
        st.success(flash)
    section = st.radio(c.tr("page.admin"), SECTIONS, horizontal=True, key="admin_section",
                       format_func=lambda s: c.tr(f"admin.{s}"), label_visibility="collapsed")
    {"registrations": registrations, "users": users, "import": import_registry,
     "audit": audit}[section]()
