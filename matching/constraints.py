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

#: Top capability concepts whose branch describes supply of another kind than a company's
#: product or service -> those kinds: places (co-use of airports, training areas, low-flying
#: routes, barracks; industrial land) and research and test facilities.
KIND_BRANCHES: Final[dict[str, frozenset[str]]] = {
    "land-and-sites": frozenset({"site"}),
    "research-innovation": frozenset({"institution", "facility"}),
}

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


# Words that say which kind of supply a question asks for. A site, facility, institution or
# programme competes with the companies at full weight only when the question names its kind
# as the thing asked for (a place, a facility, a course, a knowledge institution); else its
# score is multiplied by MatchSettings.supply_prior, so "VR training for combat medics" still
# finds the company that builds it before a training programme. An area or access stated
# counts as a place. A kind word counts in the question's head only (`request_head`): what the
# asked thing is for, near or about is its topic ("Measuring noise around a military
# airfield" asks for a measurement, not an airfield).
# A compound whose head is a party names the party, not a course ("opleidingspartner").
_PARTY_HEAD = (r"(?!\w*(?:partners?|leveranciers?|aanbieders?|bedrij(?:f|ven)|"
               r"specialist(?:en)?|providers?|suppliers?)\b)")
_KIND_CUES: Final[dict[str, str]] = {
    "site": r"\b(?:\w*terrein\w*|locatie\w*|kavel\w*|hectare\w*|grond|kazerne\w*|barracks|"
            r"\w*luchthaven\w*|vliegveld\w*|airports?|airfields?|\w*havens?|ports?|"
            r"\w*terminal\w*|overslag\w*|spoorlijn\w*|railway\s+lines?|\w*dropzone\w*|"
            r"drop\s+zones?|laagvlieg\w*|low-flying|brownfield\w*|business\s+parks?|"
            r"bedrijvenpark\w*|sites?|locations?|plots?|land|ruimte|space|vestig\w*|settle|"
            r"corridor\w*|routes?|\w*gebied\w*|areas?|zones?|grounds?|ranges?)\b",
    "facility": r"\b(?:faciliteit\w*|facility|facilities|\w*fabriek\w*|factory|factories|"
                r"testlocatie\w*|test\s+(?:location|site)s?|proeftuin\w*|testbeds?|fieldlab\w*|"
                r"field\s+labs?|\w*simulatieruimte\w*|simulation\s+rooms?|\w*centrum|centre|"
                r"center|schietbaan\w*|shooting\s+ranges?|oefenlocatie\w*|werkplaats\w*|ruimte|"
                r"rooms?|labs?|laboratori\w*|hal|halls?|hangar\w*|hangaar\w*|locatie\w*|"
                r"locations?)\b",
    "programme": r"\b" + _PARTY_HEAD + r"(?:opleiding\w*|training\w*|cursus\w*|courses?|"
                 r"programma\w*|programmes?|programs?|minors?|leerlijn\w*|lectoraat\w*|"
                 r"practoraat\w*|leerstoel\w*|professorships?|chairs?|onderwijs\w*|"
                 r"education\w*|studie\w*|study|studies|student\w*|modules?|lesmodule\w*|leren|"
                 r"learning|bijscholing|omscholing|retrain\w*|degree\w*|scholing|reservist\w*)\b",
    "institution": r"\b(?:kennisinstelling\w*|kennispartner\w*|onderzoekspartner\w*|"
                   r"knowledge\s+(?:institution|partner)s?|universiteit\w*|universit(?:y|ies)|"
                   r"hogeschool\w*|instituut|institutes?|onderzoek\w*|research\w*|"
                   r"lectoraat\w*|campus\w*|academie\w*|academy|college|school\w*|"
                   r"\w*instituut\w*|universit\w*)\b",
}
_KIND_CUE_RE: Final = {k: re.compile(p, re.IGNORECASE) for k, p in _KIND_CUES.items()}

# The question asks for a company: a party that makes or supplies (as the head of a compound:
# "trainingsbedrijf" is a company, "bedrijfskavel" a plot), or "who makes ...". Then no other
# kind gets full weight from a cue ("Bedrijf dat opleidingen verzorgt"); a stated area or
# access still counts as a place (`Matcher.signals`).
_COMPANY_CUE = re.compile(
    r"\b(?:\w*leveranciers?|\w*aanbieders?|dienstverleners?|\w*bedrijf|\w*bedrijven|"
    r"bedrijfje|firma|\w*fabrikanten?|producenten?|makers?|ondernemingen?|suppliers?|"
    r"providers?|vendors?|contractors?|compan(?:y|ies)|firms?|manufacturers?|producers?|"
    r"(?:wie|who)\s+(?:\w+\s+)?(?:maakt|maken|bouwt|bouwen|produceert|fabriceert|levert|"
    r"leveren|makes|make|builds|build|produces|produce|manufactures|manufacture|supplies|"
    r"supply))\b", re.IGNORECASE)

# English words that name a kind only as the head of their phrase: a "training ground" is a
# place (not a course); a "ground vehicle", "space debris", "land systems", "school capacity"
# or a "training simulator" is none. Followed by another content word they are its modifier.
_MODIFIERS: Final = frozenset({"training", "ground", "grounds", "space", "land", "range",
                               "school", "area", "study", "learning", "education"})

# Where the head of a request ends: a word that starts what the asked thing is for or near,
# or a clause about it ("Patient simulators | for training", "Onderwatergeluid meten | om
# duikers ... een marinehaven", "Snelle boten | voor patrouilles ... in havens"). "of"/"van"
# do not end it ("Dual use of a railway line", "meeprofiteren van de gebieden").
_BOUNDARY: Final = frozenset({
    "for", "to", "around", "near", "so", "that", "which", "who", "where", "whether",
    "when", "while", "without", "during", "after", "against", "before", "such", "like",
    "voor", "om", "rond", "rondom", "nabij", "bij", "zodat", "die", "dat", "waar", "wanneer",
    "zonder", "tijdens", "na", "tegen", "boven", "via", "voordat", "nadat", "zoals", "if"})
# Dutch "of" is "or", except after a verb of finding out, where it starts the clause of what
# is to be found out ("We willen weten of een oefenterrein berijdbaar is" asks to measure).
_FIND_OUT: Final = frozenset({"weten", "nagaan", "bepalen", "controleren", "checken", "zien",
                              "kijken", "meten", "testen", "vaststellen", "beoordelen",
                              "onderzoeken", "achterhalen"})
# Words before the head: articles and the like ("We are looking for a ...", "Is er een ...").
_LEAD: Final = frozenset({"a", "an", "the", "een", "de", "het", "naar", "op", "zoek", "in",
                          "of", "are", "is", "am", "ben", "zijn", "there", "er", "any", "some",
                          "also", "ook", "nog"})
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)
# After a _MODIFIERS word, these leave it the head of its phrase ("training for", "space and").
_AFTER_HEAD: Final = _BOUNDARY | {"and", "or", "of", "in", "on", "with", "from", "is", "are",
                                  "en", "op", "met", "van"}


def _lead_words() -> frozenset[str]:
    from matching.request import REQUEST_FORMS  # the words of asking, but not the party

    return _LEAD | {f for groups in REQUEST_FORMS.values() for group, lemmas in groups.items()
                    if group != "party" for forms in lemmas.values() for f in forms}


_LEAD_WORDS: Final = _lead_words()


def request_head(text: str) -> tuple[int, int]:
    """(start, end) of the part of a question that names what is asked for: from the first
    word that is no word of asking (the party asked for does count) or article, up to the first
    word that starts a purpose, a place or a clause (`_BOUNDARY`). "We are looking for a
    rapidly deployable facility to clean up ..." -> "rapidly deployable facility"."""
    start = None
    prev = ""
    for m in _WORD.finditer(text):
        w = m.group(0).lower()
        if start is None:
            if w not in _LEAD_WORDS and w not in _BOUNDARY:
                start = m.start()
        elif w in _BOUNDARY or (w == "of" and prev in _FIND_OUT):
            return start, m.start()
        prev = w
    return (start, len(text)) if start is not None else (0, 0)


def _is_modifier(text: str, end: int) -> bool:
    """Whether the word ending at `end` is followed (after one space) by a content word."""
    nxt = _WORD.match(text, end + 1) if text[end:end + 1] == " " else None
    return nxt is not None and nxt.group(0).lower() not in _AFTER_HEAD


# A party asked for: an organisation (a partner, a party), so a company or a knowledge
# institution, and no place, facility or course ("Opleidingspartner voor ..."). The company
# words (`_COMPANY_CUE`) are parties too.
_PARTY_CUE = re.compile(r"\b(?:\w*partners?|partij|partijen|part(?:y|ies)|organisaties?|"
                        r"organi[sz]ations?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class KindCues:
    """What a question says about the kind of supply it asks for: the non-company kinds its
    head names, whether it names a company or another party, and the words that said so."""

    kinds: frozenset[str] = frozenset()
    company: bool = False
    matched: dict[str, list[str]] = field(default_factory=dict)
    place: bool = False  # an area or access mode stated: only a site has one
    party: bool = False  # a partner or party asked for: a company or an institution

    @property
    def full_weight(self) -> frozenset[str]:
        """The non-company kinds that compete at full weight: none from words when a company
        is asked, a site when a place is stated."""
        return (frozenset() if self.company else self.kinds) | (
            {"site"} if self.place else frozenset())

    def prior(self, kind: str, supply_prior: float, party_prior: float | None = None
              ) -> float:
        """The factor on a `kind` node's score: 1 for a company and for a kind the question
        names (`full_weight`); `party_prior` (default `supply_prior`) when the question asks
        for a company, or for a party and the node is no institution; else `supply_prior`."""
        if kind == "company" or kind in self.full_weight:
            return 1.0
        if party_prior is not None and (self.company or (self.party and kind != "institution")):
            return party_prior
        return supply_prior

    def with_place(self) -> KindCues:
        """The same with a place named: the question states an area or access mode, which
        only a site has, so a site competes at full weight even beside a company named."""
        return KindCues(self.kinds, self.company, self.matched, True, self.party)

    def as_dict(self) -> dict[str, Any]:
        return {"kinds": sorted(self.full_weight), "company": self.company, "party": self.party,
                "place": self.place, "matched": {k: list(v) for k, v in self.matched.items()}}


def read_kind_cues(text: str) -> KindCues:
    """The kinds a question names as the thing it asks for (`_KIND_CUES` in `request_head`)."""
    a, b = request_head(text)
    head = text[a:b]
    matched: dict[str, list[str]] = {}
    for kind, rx in _KIND_CUE_RE.items():
        for m in rx.finditer(head):
            if m.group(0).lower() in _MODIFIERS and _is_modifier(head, m.end()):
                continue
            matched.setdefault(kind, []).append(m.group(0))
    # the words of asking before the head count here ("Wie maakt ...")
    company = [m.group(0) for m in _COMPANY_CUE.finditer(text[:b])]
    if company:
        matched["company"] = company
    party = [m.group(0) for m in _PARTY_CUE.finditer(head)]
    if party:
        matched["party"] = party
    return KindCues(frozenset(k for k in matched if k not in ("company", "party")),
                    bool(company), matched, party=bool(party))


def kind_cues(text: str) -> frozenset[str]:
    """The non-company kinds a question lets compete at full weight (`read_kind_cues`)."""
    return read_kind_cues(text).full_weight
