"""Supply kinds, and the structured constraints a question states: an area and an access mode.

"100 hectare bij de A37" asks for a site of at least 100 ha with motorway access; a dense or
lexical signal cannot compare numbers, so the numbers are read from the text here (pure, no
graph) and applied by the matcher: softly when the question states them (a site that meets
them is lifted, one whose known attributes miss them is lowered, a node without such
attributes, e.g. a company, is left alone), hard when given as filters (`min_area_ha`,
`access`). Both show in the explanation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final

#: API/CLI kind name -> the node label (the shared data contract of issues 19-21).
KINDS: Final[dict[str, str]] = {
    "company": "Company", "site": "Site", "facility": "Facility",
    "institution": "KnowledgeInstitution", "programme": "Programme",
}
LABEL_KIND: Final[dict[str, str]] = {v: k for k, v in KINDS.items()}

#: Access modes a site can have (Site.access holds a list of these).
ACCESS_MODES: Final[tuple[str, ...]] = ("road", "rail", "water", "air")

#: Soft constraints: the score of a node meeting every stated constraint is multiplied by
#: 1 + LIFT; one whose known attribute misses one by MISS. Multiplicative, so an unrelated
#: site is not lifted past a relevant company by a stated access mode alone.
LIFT: Final = 0.3
MISS: Final = 0.6

_NUM = r"(\d{1,3}(?:[.,\s]\d{3})+|\d+(?:[.,]\d+)?)"
_AREA_HA = re.compile(_NUM + r"\s*-?\s*(?:ha|hectares?|hectaren)\b", re.IGNORECASE)
_AREA_M2 = re.compile(_NUM + r"\s*-?\s*(?:m2|m²|vierkante\s+meters?|square\s+met(?:re|er)s?)"
                      r"(?!\w)", re.IGNORECASE)
_AREA_KM2 = re.compile(_NUM + r"\s*-?\s*(?:km2|km²|vierkante\s+kilometers?|square\s+"
                       r"kilomet(?:re|er)s?)(?!\w)", re.IGNORECASE)

# Words (folded to lower case) that state an access mode. "water" and "air" alone are also
# words of other questions ("water purification", "air defence"), so the words after them
# that make them something else are excluded.
_ACCESS_PATTERNS: Final[dict[str, str]] = {
    "rail": r"\b(?:spoor\w*|rail|railway|railways|rail-?connected|goederentrein\w*|"
            r"treinverbinding\w*|by\s+train|per\s+trein|railterminal\w*)\b",
    "water": r"\b(?:binnenvaart\w*|inland\s+waterways?|inland\s+shipping|waterways?|vaarweg\w*|"
             r"binnenhaven\w*|haven|havens|port|inland\s+port|kade\w*|quay\w*|barge\w*|"
             r"waterfront|waterside|(?:aan|over|via|per|by|on|near)\s+(?:het\s+|the\s+)?"
             r"water|water\s*(?:access|toegang|ontsluiting|side|front|transport))\b",
    "road": r"(?<!off-)(?<!off )\b(?:snelweg\w*|autosnelweg\w*|motorways?|highways?|road|roads|"
            r"snelwegaansluiting\w*|[an]\d{1,3}|wegtransport|"
            r"road\s+transport|by\s+road|over\s+de\s+weg)\b",
    "air": r"\b(?:luchthaven\w*|vliegveld\w*|airports?|airfields?|airstrip\w*|runways?|"
           r"landingsbaan\w*|start-?\s*en\s+landingsbaan\w*|luchtvracht\w*|air\s*(?:side|"
           r"access|freight|cargo|transport|strip)|by\s+air|per\s+vliegtuig)\b",
}
_ACCESS_RE: Final = {mode: re.compile(p, re.IGNORECASE) for mode, p in _ACCESS_PATTERNS.items()}

# An access mode counts only in a question about a place: with an area, or with one of these
# words. "Moving heavy equipment by rail", "road transport of medicines" or "patrol boats in
# harbours" ask for a company's service, not for a site's access.
_PLACE = re.compile(
    r"\b(?:\w*terrein\w*|locatie\w*|vestigingslocatie\w*|kavel\w*|grond|ruimte|"
    r"bedrijvenpark\w*|business\s+parks?|industrial\s+(?:sites?|parks?|estates?|land)|sites?|"
    r"locations?|plots?|premises|land|hub|hubs|terminal\w*|overslag\w*|knooppunt\w*|"
    r"aansluiting\w*|ontsluiting\w*|ontsloten|bereikbaar\w*|access|accessible|"
    r"vestigen|settle|campus)\b", re.IGNORECASE)

#: Names a user may give an access filter (nl and en) -> the mode.
ACCESS_NAMES: Final[dict[str, str]] = {
    "road": "road", "weg": "road", "snelweg": "road", "motorway": "road", "highway": "road",
    "rail": "rail", "spoor": "rail", "railway": "rail", "trein": "rail",
    "water": "water", "binnenvaart": "water", "waterway": "water", "inland waterway": "water",
    "vaarweg": "water", "haven": "water", "port": "water",
    "air": "air", "lucht": "air", "luchthaven": "air", "airport": "air", "vliegveld": "air",
}


def _number(text: str) -> float:
    """"1.500" and "1 500" are thousands (three digits after the separator), "1,5" and
    "1.5" a decimal."""
    t = text.strip()
    if re.fullmatch(r"\d{1,3}(?:[.,\s]\d{3})+", t):
        return float(re.sub(r"[.,\s]", "", t))
    return float(t.replace(",", "."))


@dataclass(frozen=True)
class Constraints:
    """What a question states: a minimum area in hectares and access modes, with the words
    that stated them (for the explanation)."""

    min_area_ha: float | None = None
    access: tuple[str, ...] = ()
    matched: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.min_area_ha is not None or bool(self.access)

    def as_dict(self) -> dict[str, Any]:
        return {"min_area_ha": self.min_area_ha, "access": list(self.access),
                "matched": dict(self.matched)}


def parse_constraints(text: str) -> Constraints:
    """The area (largest stated, in ha) and the access modes (in ACCESS_MODES order) of a
    question. A number without a unit is no area."""
    areas: list[tuple[float, str]] = []
    for rx, factor in ((_AREA_HA, 1.0), (_AREA_M2, 1e-4), (_AREA_KM2, 100.0)):
        for m in rx.finditer(text):
            try:
                areas.append((_number(m.group(1)) * factor, m.group(0).strip()))
            except ValueError:
                continue
    matched: dict[str, str] = {}
    area = None
    if areas:
        value, words = max(areas)
        area = round(value, 4)
        matched["area"] = words
    access = []
    place = area is not None or bool(_PLACE.search(text))
    for mode in ACCESS_MODES if place else ():
        said = _ACCESS_RE[mode].search(text)
        if said:
            access.append(mode)
            matched[mode] = said.group(0)
    return Constraints(area, tuple(access), matched)


def _access_of(attrs: dict[str, Any]) -> set[str] | None:
    value = attrs.get("access")
    if value is None:
        return None
    if isinstance(value, str):
        value = re.split(r"[;,|\s]+", value)
    return {str(v).strip().lower() for v in value if str(v).strip()}


def check(attrs: dict[str, Any], c: Constraints, lang: str = "nl"
          ) -> tuple[float, list[dict[str, Any]]]:
    """The factor the soft constraints put on a node's score and what each one found.
    A node without the attribute a constraint is about is neither lifted nor lowered."""
    found: list[dict[str, Any]] = []
    if c.min_area_ha is not None:
        area = attrs.get("area_ha")
        met = None if area is None else float(area) >= c.min_area_ha
        found.append({"kind": "area", "asked": c.min_area_ha, "value": area, "met": met,
                      "matched": c.matched.get("area"),
                      "text": _area_text(c.min_area_ha, area, met, lang)})
    if c.access:
        have = _access_of(attrs)
        met = None if have is None else bool(have & set(c.access))
        found.append({"kind": "access", "asked": list(c.access),
                      "value": sorted(have) if have is not None else None, "met": met,
                      "matched": ", ".join(c.matched[m] for m in c.access if m in c.matched),
                      "text": _access_text(list(c.access), have, met, lang)})
    known = [f for f in found if f["met"] is not None]
    if not known:
        return 1.0, found
    if all(f["met"] for f in known):
        return 1.0 + LIFT * len(known) / len(found), found
    return MISS, found


_ACCESS_LABELS: Final = {
    "nl": {"road": "weg", "rail": "spoor", "water": "water", "air": "lucht"},
    "en": {"road": "road", "rail": "rail", "water": "water", "air": "air"},
}


def access_label(mode: str, lang: str = "nl") -> str:
    return _ACCESS_LABELS["en" if lang == "en" else "nl"].get(mode, mode)


def _area_text(asked: float, area: Any, met: bool | None, lang: str) -> str:
    a = f"{asked:g} ha"
    if met is None:
        return f"gevraagd ≥ {a}; oppervlak onbekend" if lang == "nl" \
            else f"asked ≥ {a}; area unknown"
    v = f"{float(area):g} ha"
    if lang == "nl":
        return f"gevraagd ≥ {a}: {v} " + ("voldoet" if met else "is te klein")
    return f"asked ≥ {a}: {v} " + ("meets it" if met else "is too small")


def _access_text(asked: list[str], have: set[str] | None, met: bool | None, lang: str) -> str:
    a = "/".join(access_label(m, lang) for m in asked)
    if met is None:
        return f"gevraagd: ontsluiting via {a}; onbekend" if lang == "nl" \
            else f"asked: access by {a}; unknown"
    h = ", ".join(access_label(m, lang) for m in sorted(have or ())) or "-"
    if lang == "nl":
        return f"gevraagd: ontsluiting via {a}; heeft {h}" + ("" if met else " (niet gevraagd)")
    return f"asked: access by {a}; has {h}" + ("" if met else " (not the one asked)")


def resolve_access(values: list[str] | None) -> tuple[list[str] | None, list[str]]:
    """Access filter values (a mode or a Dutch/English name of one) -> modes, and the values
    that name none."""
    if not values:
        return None, []
    modes: list[str] = []
    unknown: list[str] = []
    for v in values:
        mode = ACCESS_NAMES.get(v.strip().lower())
        if mode is None:
            unknown.append(v)
        elif mode not in modes:
            modes.append(mode)
    return modes, unknown


def resolve_kinds(values: list[str] | None) -> tuple[list[str] | None, list[str]]:
    """Kind filter values (company, site, ...; the label or plural is accepted too) -> kind
    names, and the values that name none."""
    if not values:
        return None, []
    by_name = {k: k for k in KINDS} | {v.lower(): k for k, v in KINDS.items()} | {
        k + "s": k for k in KINDS} | {"companies": "company", "facilities": "facility",
                                      "institutions": "institution", "bedrijf": "company",
                                      "locatie": "site", "terrein": "site",
                                      "faciliteit": "facility", "kennisinstelling":
                                      "institution", "programma": "programme",
                                      "program": "programme"}
    kinds: list[str] = []
    unknown: list[str] = []
    for v in values:
        k = by_name.get(v.strip().lower())
        if k is None:
            unknown.append(v)
        elif k not in kinds:
            kinds.append(k)
    return kinds, unknown
