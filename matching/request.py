"""The words of asking: what a demand question says about the asking, not about what is asked.

"Wij zoeken een partij die onbemande vliegtuigen kan leveren" asks for uncrewed aircraft; "wij",
"zoeken", "partij", "kan" and "leveren" would be said of any demand. Every supplier writes
"wij leveren" or "leverancier van", so as lexical terms these words rank companies by how they
phrase their description, in the explanation they pose as evidence ("levert", "leverancier"),
and in the question's embedding they pull concepts about supplying parts ("leveren" +
"vliegtuigen" lands near aircraft components). This module is the one list of them, in Dutch
and English, with their inflected forms; the matcher leaves them out of the Lucene query, the
matched terms and highlights, and the text it embeds to find concepts and suppliers
(`matching.lexical.is_request_word`, `request_spans`).

Groups, each word listed with the forms a question uses (folded: lower case, no accents):

- the asker: pronouns;
- the institution: Defence itself (every question is Defence's, every description in the
  register names Defensie as a customer);
- seeking, needing and wanting;
- supplying and offering (not making, building or repairing: those say what is asked);
- the party asked for (supplier, company, partner, manufacturer...);
- modality and politeness (can, could, please...).

A word that is part of a concept label in the question stays content: "power supply" and
"cyber defence" keep "supply" and "defence" (see `Matcher.signals`).
"""

from __future__ import annotations

from typing import Final

#: language -> group -> lemma -> forms. Forms are folded (`matching.lexical.fold`).
REQUEST_FORMS: Final[dict[str, dict[str, dict[str, tuple[str, ...]]]]] = {
    "nl": {
        "asker": {
            "ik": ("ik", "mij", "me", "mijn"),
            "wij": ("wij", "we", "ons", "onze"),
        },
        "institution": {
            "defensie": ("defensie", "krijgsmacht"),
        },
        "seek": {
            "zoeken": ("zoek", "zoekt", "zoeken", "zocht", "zochten", "gezocht", "zoekende",
                       "opzoek"),
            "nodig": ("nodig", "behoefte", "behoeften", "behoeftes"),
            "willen": ("wil", "wilt", "willen", "wilde", "wilden", "gewild"),
            "wensen": ("wens", "wenst", "wensen", "gewenst"),
            "vragen": ("vraag", "vraagt", "vragen", "gevraagd"),
            "hebben": ("heb", "hebt", "heeft", "hebben", "had", "hadden"),
        },
        "supply": {
            "leveren": ("lever", "levert", "leveren", "leverde", "leverden", "geleverd",
                        "levering", "leveringen", "aanleveren", "toeleveren"),
            "bieden": ("bied", "biedt", "bieden", "bood", "boden", "geboden", "aanbieden",
                       "aangeboden", "aanbod"),
            "voorzien": ("voorzien", "voorziet"),
        },
        "party": {
            "leverancier": ("leverancier", "leveranciers", "toeleverancier",
                            "toeleveranciers"),
            "aanbieder": ("aanbieder", "aanbieders", "dienstverlener", "dienstverleners"),
            "partij": ("partij", "partijen", "partner", "partners"),
            "bedrijf": ("bedrijf", "bedrijven", "bedrijfje", "firma", "firmas", "onderneming",
                        "ondernemingen", "organisatie", "organisaties"),
            "fabrikant": ("fabrikant", "fabrikanten", "producent", "producenten", "maker",
                          "makers"),
            "specialist": ("specialist", "specialisten"),
            "iemand": ("iemand", "niemand"),
        },
        "modal": {
            "kunnen": ("kan", "kun", "kunt", "kunnen", "kon", "konden", "zou", "zouden",
                       "moet", "moeten", "mogelijk", "misschien", "graag", "alstublieft",
                       "aub", "svp"),
            "wie": ("wie", "welk", "welke", "wat"),
        },
    },
    "en": {
        "asker": {
            "i": ("i", "me", "my"),
            "we": ("we", "us", "our", "ours"),
        },
        "institution": {
            "defence": ("defence", "defense"),
        },
        "seek": {
            "look": ("look", "looks", "looking", "seek", "seeks", "seeking", "sought", "search",
                     "searching", "find", "finds"),
            "need": ("need", "needs", "needed", "require", "requires", "required",
                     "requirement", "requirements"),
            "want": ("want", "wants", "wanted", "wish", "wishes"),
        },
        "supply": {
            "supply": ("supply", "supplies", "supplied", "supplying"),
            "provide": ("provide", "provides", "provided", "providing"),
            "deliver": ("deliver", "delivers", "delivered", "delivering"),
            "offer": ("offer", "offers", "offered", "offering"),
        },
        "party": {
            "supplier": ("supplier", "suppliers", "provider", "providers", "vendor", "vendors",
                         "contractor", "contractors"),
            "company": ("company", "companies", "firm", "firms", "business", "businesses",
                        "organisation", "organisations", "organization", "organizations"),
            "party": ("party", "parties", "partner", "partners"),
            "manufacturer": ("manufacturer", "manufacturers", "producer", "producers", "maker",
                             "makers"),
            "specialist": ("specialist", "specialists"),
            "someone": ("someone", "somebody", "anyone", "anybody"),
        },
        "modal": {
            "can": ("can", "could", "able", "would", "should", "must", "please", "kindly"),
            "who": ("who", "whom", "which", "what"),
        },
    },
}

REQUEST_WORDS: Final[frozenset[str]] = frozenset(
    form
    for groups in REQUEST_FORMS.values()
    for lemmas in groups.values()
    for forms in lemmas.values()
    for form in forms
)

#: The groups whose words have a topic of their own: seeking, supplying, the party asked for,
#: Defence. They can pull a question's embedding towards a concept ("leveren" + "vliegtuigen"
#: lands near aircraft components), so a concept found by embedding is confirmed without them
#: (`Matcher._confirmed`). Pronouns, modals and question words have no topic: leaving them out
#: of that text tests nothing and only makes it less of a sentence, which the encoder reads
#: less well ("Zware drone die tot twintig kilo lading kan meenemen" lost uncrewed systems).
TOPICAL_GROUPS: Final[tuple[str, ...]] = ("institution", "seek", "supply", "party")

TOPICAL_REQUEST_WORDS: Final[frozenset[str]] = frozenset(
    form
    for groups in REQUEST_FORMS.values()
    for group in TOPICAL_GROUPS
    for forms in groups.get(group, {}).values()
    for form in forms
)
