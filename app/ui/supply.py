"""How a supply kind looks in the UI: its icon and label, and the attribute lines of a site's,
programme's or facility's card (area, access, co-use; level, provider, status)."""

from __future__ import annotations

from typing import Any

from app.ui import common as c

KINDS = ("company", "site", "facility", "institution", "programme")
ICONS = {"company": "🏭", "site": "📍", "facility": "🏗️", "institution": "🎓",
         "programme": "📚"}
ACCESS = ("road", "rail", "water", "air")


def kind_label(kind: str | None) -> str:
    """Icon and translated label, e.g. "📍 locatie"."""
    k = kind or "company"
    return f"{ICONS.get(k, '•')} {c.tr(f'supply.kind.{k}')}"


def _access(value: Any) -> str:
    modes = [value] if isinstance(value, str) else list(value or [])
    return ", ".join(c.tr(f"supply.access.{m}") if m in ACCESS else str(m) for m in modes)


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def status(value: Any) -> str:
    """running, in_development, available... in the UI's language (else as stored)."""
    if not value:
        return ""
    key = f"supply.status.{value}"
    text = c.tr(key)
    return str(value).replace("_", " ") if text == key else text


def co_use(value: Any) -> str:
    if not value:
        return ""
    key = f"supply.co_use.{value}"
    text = c.tr(key)
    return str(value).replace("_", " ") if text == key else text


def attribute_lines(kind: str | None, attrs: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs a card shows for its kind; a missing value shows as unknown for
    the attributes the issue asks every site and programme card to show."""
    unknown = c.tr("supply.unknown")
    a = attrs or {}
    if kind == "site":
        area = a.get("area_ha")
        return [(c.tr("supply.area"), f"{float(area):g} ha" if area is not None else unknown),
                (c.tr("supply.access"), _access(a.get("access")) or unknown),
                (c.tr("supply.co_use"), co_use(a.get("co_use")) or unknown),
                *[(c.tr(f"supply.{k}"), status(a[k]) if k == "status" else _text(a[k]))
                  for k in ("status", "zoning", "utilities") if a.get(k)]]
    if kind == "programme":
        provider = a.get("providers") or a.get("provider")
        return [(c.tr("supply.level"), _text(a["level"]) if a.get("level") else unknown),
                (c.tr("supply.provider"), _text(provider) if provider else unknown),
                (c.tr("supply.status"), status(a.get("status")) or unknown)]
    if kind == "facility":
        kind_of = a.get("kind")
        return [(c.tr(f"supply.{k}"), _text(v)) for k, v in (
            ("facility_type", kind_of), ("status", status(a.get("status"))),
            ("access", _access(a.get("access")) if a.get("access") else None)) if v]
    if kind == "institution" and a.get("clusters"):
        return [(c.tr("supply.clusters"), _text(a["clusters"]))]
    return []


def attributes_markdown(kind: str | None, attrs: dict[str, Any]) -> str:
    """One line, e.g. "**Oppervlak:** 150 ha · **Ontsluiting:** weg / snelweg, spoor"."""
    return " · ".join(f"**{c.md(k)}:** {c.md(v)}" for k, v in attribute_lines(kind, attrs))
