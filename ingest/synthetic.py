"""`paraat ingest synthetic`: realistic but fictional Drentse companies, for benchmarks.

Names, municipalities, SBI codes and descriptions (Dutch and English, varied wording built
from the capability scheme's labels) look like a real registry, but every node is marked
`synthetic = true`, its source says so, and KvK numbers come from the 6xxxxxxx range that
neither the seed (990000xx) nor the evaluation set (7xxxxxxx) uses.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from ingest.companies import CompanyRecord
from ontology.concepts import Concept
from ontology.taxonomy import Taxonomy

SYNTHETIC_SOURCE = "synthetisch (paraat ingest synthetic, seed {seed}) — geen echt bedrijf"
KVK_BASE = 60_000_000

# Rough population shares of the twelve municipalities.
MUNICIPALITIES = {
    "emmen": 21, "assen": 14, "hoogeveen": 11, "meppel": 7, "coevorden": 7, "midden-drenthe": 7,
    "noordenveld": 6, "tynaarlo": 7, "aa-en-hunze": 5, "borger-odoorn": 5, "de-wolden": 5,
    "westerveld": 4,
}
PLACES = ["Drenthe", "Hondsrug", "Emmer", "Asser", "Veenkoloniaal", "Noorder", "Havelter",
          "Dwingelder", "Eelder", "Roder", "Meppeler", "Zuidlaarder", "Beiler", "Coevorder",
          "Hoogeveense", "Westerveldse", "Drentsche Aa", "Dieverder", "Borger", "Gieter"]
FAMILY = ["Van der Veen", "Bakker", "Hofstede", "Mulder", "Boelens", "Kuiper", "Lubbers",
          "Smit", "Wever", "Oosting", "Dijkstra", "Brouwer", "Hilbrands", "Lamberts", "Jalving",
          "Schuiling", "Nijhuis", "Seinen", "Zwiers", "Timmerman"]
CORE = {
    "advanced-materials": ["Materials", "Vezeltechniek", "Composites", "Polymeren"],
    "protection": ["Protection", "Bescherming", "Safety Systems", "Armour Tech"],
    "sensing": ["Sensortechniek", "Optics", "Detectie", "Photonics"],
    "uncrewed-systems": ["Robotics", "Autonomy", "Drone Systems", "Luchtrobotica"],
    "space-technology": ["Space", "Antennas", "Orbit Systems", "Radiotechniek"],
    "digital-intelligence": ["Data", "AI Solutions", "Cyber", "Simulatie"],
    "manufacturing": ["Precisie", "Metaalbewerking", "Techniek", "Maakindustrie"],
    "maritime": ["Scheepsbouw", "Marine", "Jachtbouw", "Aandrijftechniek"],
    "aerospace": ["Aero", "Luchtvaarttechniek", "Aviation Services"],
    "medical-technology": ["Medical", "Zorgtechniek", "Diagnostics"],
    "food-nutrition": ["Voeding", "Foods", "Agrotech"],
    "logistics": ["Logistiek", "Transport", "Warehousing"],
    "energy": ["Energie", "Power", "Waterstof"],
    "water-treatment": ["Watertechniek", "Filtratie", "Clean Air"],
    "security-education": ["Academy", "Opleidingen", "Training"],
}
LEGAL = ["B.V.", "BV", "", "Holding B.V.", "V.O.F.", "& Zn.", "Group"]
SBI = {
    "advanced-materials": ["2060", "2229", "2016"], "protection": ["1412", "2599", "3299"],
    "sensing": ["2670", "2651"], "uncrewed-systems": ["3030", "2829"],
    "space-technology": ["3030", "2630", "7219"], "digital-intelligence": ["6201", "6202", "6311"],
    "manufacturing": ["2562", "2899", "2573"], "maritime": ["3011", "3012", "2711"],
    "aerospace": ["3316", "3030"], "medical-technology": ["3250", "2660"],
    "food-nutrition": ["1089", "1086", "0111"], "logistics": ["5210", "4941"],
    "energy": ["3511", "2712", "2720"], "water-treatment": ["3600", "2825"],
    "security-education": ["8559", "8542"],
}

NL_OPEN = [
    "{name} is een {size} bedrijf uit {place} dat zich richt op {a}.",
    "Vanuit {place} levert {name} {a} aan klanten in binnen- en buitenland.",
    "Wij zijn specialist in {a} en werken voor industrie, overheid en defensie.",
    "{name} ontwikkelt en produceert {a}.",
    "Ons team in {place} ontwerpt oplossingen voor {a}.",
]
NL_MORE = [
    "Daarnaast bieden we {b}.",
    "We combineren dit met kennis van {b}.",
    "Ook {b} hoort tot ons aanbod.",
    "Klanten waarderen onze ervaring met {b}.",
]
NL_CLOSE = [
    "We zijn ISO 9001-gecertificeerd.", "Korte lijnen en snelle levering staan voorop.",
    "We werken samen met kennisinstellingen in Noord-Nederland.",
    "Kleine series en prototypes zijn geen probleem.",
    "Duurzaamheid is onderdeel van alles wat we doen.",
]
EN_OPEN = [
    "{name} is a {size_en} company based in {place} focusing on {a}.",
    "From {place}, {name} supplies {a} to customers across Europe.",
    "We specialise in {a} for industry, government and defence.",
    "{name} designs and manufactures {a}.",
    "Our engineers in {place} develop solutions for {a}.",
]
EN_MORE = [
    "We also offer {b}.", "This is combined with expertise in {b}.",
    "Our portfolio further includes {b}.", "Customers rely on our experience with {b}.",
]
EN_CLOSE = [
    "We are ISO 9001 certified.", "Short lines of communication and fast delivery.",
    "We collaborate with universities in the northern Netherlands.",
    "Small series and prototypes are welcome.", "Sustainability is part of everything we do.",
]
SIZES = [("klein", "small", 8), ("middelgroot", "mid-sized", 60), ("groot", "large", 400),
         ("jong", "young", 5), ("familie", "family-owned", 35)]


def _top(c: Concept, tax: Taxonomy) -> str:
    chain = tax.broader_closure(c.id)
    return chain[-1] if chain else c.id


def _phrase(c: Concept, lang: str, rng: random.Random) -> str:
    options = [c.label(lang), *c.alt_labels.get(lang, [])]
    return rng.choice(options[: max(2, len(options) // 2)]).lower()


def generate(n: int, taxonomy: Taxonomy, seed: int = 42) -> Iterator[CompanyRecord]:
    """n synthetic companies, the same for the same seed."""
    rng = random.Random(seed)
    leaves = [c for c in taxonomy.capabilities.values() if c.broader]
    muns, weights = zip(*MUNICIPALITIES.items(), strict=True)
    for i in range(n):
        caps = rng.sample(leaves, k=rng.choice((1, 1, 2, 2, 3)))
        top = _top(caps[0], taxonomy)
        core = rng.choice(CORE.get(top, ["Techniek"]))
        first = rng.choice(PLACES) if rng.random() < 0.6 else rng.choice(FAMILY)
        name = " ".join(x for x in (first, core, rng.choice(LEGAL)) if x)
        mun = rng.choices(muns, weights=weights)[0]
        place = mun.replace("-", " ").title()
        size_nl, size_en, emp = rng.choice(SIZES)
        lang = "nl" if rng.random() < 0.6 else "en"
        a = _phrase(caps[0], lang, rng)
        b = " en ".join(_phrase(c, lang, rng) for c in caps[1:]) if lang == "nl" else \
            " and ".join(_phrase(c, lang, rng) for c in caps[1:])
        if lang == "nl":
            parts = [rng.choice(NL_OPEN).format(name=name, size=size_nl, place=place, a=a)]
            if b:
                parts.append(rng.choice(NL_MORE).format(b=b))
            parts.append(rng.choice(NL_CLOSE))
        else:
            parts = [rng.choice(EN_OPEN).format(name=name, size_en=size_en, place=place, a=a)]
            if b:
                parts.append(rng.choice(EN_MORE).format(b=b))
            parts.append(rng.choice(EN_CLOSE))
        yield CompanyRecord(
            kvk_number=str(KVK_BASE + i), name=name, description=" ".join(parts),
            municipality=mun, website=None, employees=max(1, int(rng.gauss(emp, emp / 3))),
            sbi_code=rng.choice(SBI.get(top, ["7112"])), kvk_status="synthetic",
            capabilities=[c.id for c in caps] if rng.random() < 0.5 else [],
            source=SYNTHETIC_SOURCE.format(seed=seed), synthetic=True,
        )
