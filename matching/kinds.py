"""Which kind of supply a question asks for (issue 19): a company, or a site, facility,
knowledge institution or programme named as the thing asked for. A kind the question does not
name competes at `MatchSettings.supply_prior` (`party_prior` when it asks for a company or
another party), and its concepts are not found by embedding alone. Pure: text and taxonomy in,
no graph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final

from matching.constraints import parse_constraints
from matching.request import REQUEST_FORMS
from ontology.taxonomy import Taxonomy

#: Top capability concepts whose branch describes supply of another kind than a company's
#: product or service -> those kinds: places (co-use of airports, training areas, low-flying
#: routes, barracks; industrial land) and research and test facilities.
KIND_BRANCHES: Final[dict[str, frozenset[str]]] = {
    "land-and-sites": frozenset({"site"}),
    "research-innovation": frozenset({"institution", "facility"}),
}

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
    """The articles and the words of asking, but not the party asked for."""
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


def kind_concepts(taxonomy: Taxonomy) -> dict[str, frozenset[str]]:
    """The capabilities in a `KIND_BRANCHES` branch -> the kinds of supply they describe."""
    out: dict[str, frozenset[str]] = {}
    for cid in taxonomy.capabilities:
        for top, kinds in KIND_BRANCHES.items():
            if top == cid or top in taxonomy.broader_closure(cid):
                out[cid] = out.get(cid, frozenset()) | kinds
    return out


def of_kinds_asked(question: str, near: list[tuple[str, float]],
                   of_kind: dict[str, frozenset[str]]) -> list[tuple[str, float]]:
    """`near` (concept, cosine) without the concepts (`kind_concepts`) of a kind of supply the
    question does not name (`read_kind_cues`; a stated area or access names a site):
    "Onbemande toestellen die bevoorrading ... naar een afgelegen post brengen" is near
    low-flying routes and drop zones by its topic, yet asks for no place; such a concept would
    take the place of one a company can hold (`Matcher.question_concepts`)."""
    cues = read_kind_cues(question)
    asked = (cues.with_place() if parse_constraints(question) else cues).full_weight
    return [(cid, cos) for cid, cos in near if cid not in of_kind or of_kind[cid] & asked]
