"""Ontology files, SKOS integrity and the taxonomy API (label lookup, text search, closures)."""

from __future__ import annotations

import os
import shutil
import subprocess
from importlib.resources import files

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.compare import graph_diff, to_isomorphic
from rdflib.namespace import DCTERMS

from ontology.concepts import ALL_FILES, ONTOLOGY_FILES, Concept, ConceptKind
from ontology.forms import dutch_forms, english_forms, normalize_label
from ontology.taxonomy import Taxonomy, load_taxonomy
from ontology.vocab import (
    CAPABILITY_SCHEME,
    NLD_SCHEME,
    ONTOLOGY_IRI,
    ONTOLOGY_VERSION_IRI,
    PA,
    id_of,
    iri_for,
    parse_iri,
)

# The capability ids other modules rely on (docs/conventions.md), with their broader id.
REQUIRED_CAPABILITIES: dict[str, str | None] = {
    "advanced-materials": None,
    "aramid-fibres": "advanced-materials",
    "composite-materials": "advanced-materials",
    "thermoplastic-composites": "composite-materials",
    "thermoset-composites": "composite-materials",
    "lightweight-structures": "composite-materials",
    "biocomposites": "composite-materials",
    "polymers": "advanced-materials",
    "biopolymers": "polymers",
    "circular-plastics": "polymers",
    "activated-carbon": "advanced-materials",
    "protection": None,
    "ballistic-protection": "protection",
    "body-armour": "ballistic-protection",
    "vehicle-armour": "ballistic-protection",
    "protective-clothing": "protection",
    "active-hearing-protection": "protection",
    "cbrn-protection": "protection",
    "cbrn-filtration": "cbrn-protection",
    "cbrn-detection": "cbrn-protection",
    "sensing": None,
    "night-vision": "sensing",
    "image-intensifiers": "night-vision",
    "thermal-imaging": "sensing",
    "radar": "sensing",
    "rf-antennas": "sensing",
    "electromagnetic-threat-detection": "sensing",
    "biosensors": "sensing",
    "acoustic-sensing": "sensing",
    "environmental-monitoring": "sensing",
    "uncrewed-systems": None,
    "drones-uav": "uncrewed-systems",
    "counter-drone": "uncrewed-systems",
    "autonomous-systems": "uncrewed-systems",
    "robotics": "uncrewed-systems",
    "space-technology": None,
    "space-situational-awareness": "space-technology",
    "space-weather": "space-technology",
    "satellite-communication": "space-technology",
    "radio-astronomy-instrumentation": "space-technology",
    "digital-intelligence": None,
    "artificial-intelligence": "digital-intelligence",
    "computer-vision": "artificial-intelligence",
    "high-performance-computing": "digital-intelligence",
    "data-analytics": "digital-intelligence",
    "predictive-maintenance": "data-analytics",
    "cybersecurity": "digital-intelligence",
    "quantum-technology-applications": "digital-intelligence",
    "simulation-training": "digital-intelligence",
    "crisis-simulation": "simulation-training",
    "manufacturing": None,
    "precision-engineering": "manufacturing",
    "additive-manufacturing": "manufacturing",
    "machining": "manufacturing",
    "injection-moulding": "manufacturing",
    "metal-fabrication": "manufacturing",
    "bridge-components": "metal-fabrication",
    "contract-manufacturing": "manufacturing",
    "maritime": None,
    "naval-vessels": "maritime",
    "marine-electric-motors": "maritime",
    "aerospace": None,
    "aircraft-components": "aerospace",
    "aircraft-maintenance": "aerospace",
    "aviation-training": "aerospace",
    "medical-technology": None,
    "medical-diagnostics": "medical-technology",
    "dialysis-equipment": "medical-technology",
    "mobile-health": "medical-technology",
    "medical-devices": "medical-technology",
    "food-nutrition": None,
    "functional-nutrition": "food-nutrition",
    "medical-nutrition": "food-nutrition",
    "precision-agriculture": "food-nutrition",
    "logistics": None,
    "multimodal-transport": "logistics",
    "warehousing": "logistics",
    "textile-cleaning": "logistics",
    "energy": None,
    "hydrogen": "energy",
    "energy-storage": "energy",
    "power-electronics": "energy",
    "water-treatment": None,
    "water-purification": "water-treatment",
    "air-purification": "water-treatment",
    "security-education": None,
    "reservist-training": "security-education",
}
NLD_IDS = {
    "intelligente-systemen",
    "sensoren",
    "slimme-materialen",
    "ruimtevaarttechnologie",
    "quantumtechnologie",
}


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return load_taxonomy()


@pytest.fixture(scope="module")
def onto() -> Graph:
    """The three ontology files parsed independently of the taxonomy module."""
    g = Graph()
    for name in ONTOLOGY_FILES:
        g.parse(data=(files("ontology") / name).read_text(encoding="utf-8"), format="turtle")
    return g


def _dump(g: Graph, limit: int = 40) -> str:
    lines = sorted(line for line in g.serialize(format="nt").splitlines() if line.strip())
    more = f"\n... and {len(lines) - limit} more" if len(lines) > limit else ""
    return "\n".join(lines[:limit]) + more


def assert_isomorphic(expected: Graph, actual: Graph) -> None:
    """Compare graphs (blank nodes included) and show the triples that differ on failure."""
    iso_expected, iso_actual = to_isomorphic(expected), to_isomorphic(actual)
    if iso_expected == iso_actual:
        return
    _, only_expected, only_actual = graph_diff(iso_expected, iso_actual)
    pytest.fail(
        f"graphs differ\n--- only in expected ({len(only_expected)}):\n{_dump(only_expected)}"
        f"\n+++ only in actual ({len(only_actual)}):\n{_dump(only_actual)}",
        pytrace=False,
    )


# -------------------------------------------------------------------------------- files


@pytest.mark.parametrize("name", ALL_FILES)
def test_turtle_file_parses(name: str) -> None:
    g = Graph().parse(data=(files("ontology") / name).read_text(encoding="utf-8"), format="turtle")
    assert len(g) > 50


@pytest.mark.parametrize("name", ALL_FILES)
def test_rapper_reports_no_errors_or_warnings(name: str) -> None:
    rapper = shutil.which("rapper")
    if rapper is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI=true and rapper (raptor2-utils) is not installed")
        pytest.skip("rapper (raptor2-utils) not installed (outside CI only)")
    path = str(files("ontology") / name)
    proc = subprocess.run(
        [rapper, "-i", "turtle", "-c", path], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    problems = [
        ln for ln in proc.stderr.splitlines() if "error" in ln.lower() or "warn" in ln.lower()
    ]
    assert problems == []


def test_ontology_header(onto: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in onto
    assert onto.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("1.1.0")
    assert onto.value(ONTOLOGY_IRI, OWL.versionIRI) == ONTOLOGY_VERSION_IRI
    assert load_taxonomy().version == "1.1.0"


def test_pa_namespace_matches_declared_terms(onto: Graph) -> None:
    declared = {
        s
        for t in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for s in onto.subjects(RDF.type, t)
        if isinstance(s, URIRef) and str(s).startswith(str(PA._NS))
    }
    in_python = {getattr(PA, name) for name in PA.__annotations__}
    assert declared == in_python


def test_every_pa_term_has_bilingual_label_and_comment(onto: Graph) -> None:
    for name in PA.__annotations__:
        term = getattr(PA, name)
        for prop in (RDFS.label, RDFS.comment):
            langs = {o.language for o in onto.objects(term, prop) if isinstance(o, Literal)}
            assert {"nl", "en"} <= langs, f"{name} lacks {prop} in nl/en"


def test_reused_vocabularies(onto: Graph) -> None:
    schema_org = URIRef("https://schema.org/Organization")
    formal = URIRef("http://www.w3.org/ns/org#FormalOrganization")
    assert (PA.Company, RDFS.subClassOf, schema_org) in onto
    assert (PA.Company, RDFS.subClassOf, formal) in onto
    assert (PA.Capability, RDFS.subClassOf, SKOS.Concept) in onto
    assert (PA.NLDArea, RDFS.subClassOf, SKOS.Concept) in onto
    assert (PA.memberOf, RDFS.subPropertyOf, URIRef("http://www.w3.org/ns/org#memberOf")) in onto
    assert (PA.relevantTo, RDFS.range, PA.NLDArea) in onto
    for sub in (PA.Campus, PA.InnovationHub, PA.IndustrialPark):
        assert (sub, RDFS.subClassOf, PA.Ecosystem) in onto


# -------------------------------------------------------------------------------- SKOS data


def test_required_capabilities_present_with_given_broader(tax: Taxonomy) -> None:
    assert len(tax.capabilities) >= 60
    for cid, broader in REQUIRED_CAPABILITIES.items():
        assert cid in tax.capabilities, cid
        expected = (broader,) if broader else ()
        assert tax.capabilities[cid].broader == expected, cid


def test_every_capability_is_complete(tax: Taxonomy) -> None:
    for c in tax.capabilities.values():
        assert set(c.pref_label) == {"nl", "en"}, c.id
        assert set(c.definition) == {"nl", "en"}, c.id
        assert c.alt_labels.get("nl") and c.alt_labels.get("en"), c.id
        assert c.source.strip(), c.id
        assert tax.areas_of(c.id), f"{c.id} has no NLD area (direct or inherited)"
        assert set(tax.areas_of(c.id)) <= NLD_IDS


def test_five_nld_areas(tax: Taxonomy) -> None:
    assert set(tax.nld_areas) == NLD_IDS
    for area in tax.nld_areas.values():
        assert set(area.pref_label) == {"nl", "en"}
        assert set(area.definition) == {"nl", "en"}
        assert area.source


def test_concepts_are_well_formed_skos(onto: Graph) -> None:
    for cls, scheme in ((PA.Capability, CAPABILITY_SCHEME), (PA.NLDArea, NLD_SCHEME)):
        concepts = set(onto.subjects(RDF.type, cls))
        assert concepts
        for c in concepts:
            assert (c, RDF.type, SKOS.Concept) in onto
            assert (c, SKOS.inScheme, scheme) in onto
            assert str(onto.value(c, SKOS.notation)) == id_of(str(c))
            assert onto.value(c, DCTERMS.source) is not None
            for lang in ("nl", "en"):  # SKOS S14: one prefLabel per language
                prefs = [
                    o
                    for o in onto.objects(c, SKOS.prefLabel)
                    if isinstance(o, Literal) and o.language == lang
                ]
                assert len(prefs) == 1, (c, lang)


def test_broader_narrower_symmetric(onto: Graph) -> None:
    broader = set(onto.subject_objects(SKOS.broader))
    narrower_inverted = {(o, s) for s, o in onto.subject_objects(SKOS.narrower)}
    assert broader, "no skos:broader statements"
    assert broader == narrower_inverted


def test_top_concepts_symmetric(onto: Graph) -> None:
    top_of = set(onto.subject_objects(SKOS.topConceptOf))
    has_top = {(o, s) for s, o in onto.subject_objects(SKOS.hasTopConcept)}
    assert top_of == has_top
    for concept, _scheme in top_of:
        assert onto.value(concept, SKOS.broader) is None, concept
    tops = {c for c, s in top_of if s == CAPABILITY_SCHEME}
    no_broader = {
        c for c in onto.subjects(RDF.type, PA.Capability) if onto.value(c, SKOS.broader) is None
    }
    assert tops == no_broader


def test_related_is_symmetric_and_not_hierarchical(tax: Taxonomy) -> None:
    pairs = {(c.id, r) for c in tax.capabilities.values() for r in c.related}
    assert pairs
    assert pairs == {(b, a) for a, b in pairs}
    for a, b in pairs:  # SKOS S27: related is disjoint from broaderTransitive
        assert b not in tax.broader_closure(a) and b not in tax.narrower_closure(a)


def test_relevant_to_targets_are_nld_areas(onto: Graph) -> None:
    targets = set(onto.objects(None, PA.relevantTo))
    assert targets
    assert targets <= set(onto.subjects(RDF.type, PA.NLDArea))


@pytest.mark.parametrize("kind", ["capability", "nld"])
def test_labels_unambiguous_within_kind(tax: Taxonomy, kind: ConceptKind) -> None:
    owner: dict[str, str] = {}
    clashes = []
    concepts = tax.capabilities if kind == "capability" else tax.nld_areas
    for c in concepts.values():
        for label in c.all_labels():
            key = normalize_label(label)
            if owner.setdefault(key, c.id) != c.id:
                clashes.append(f"{label!r}: {owner[key]} vs {c.id}")
    assert clashes == []


# -------------------------------------------------------------------------------- lookup


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("pantsering", "ballistic-protection"),
        ("ballistic protection", "ballistic-protection"),
        ("Ballistic-Protection", "ballistic-protection"),
        ("  kogelwerend ", "ballistic-protection"),
        ("ARMOR", "ballistic-protection"),
        ("Kwantum", "quantumtechnologie"),
        ("quantum", "quantumtechnologie"),
        ("Nachtzicht", "night-vision"),
        ("night vision goggles", "night-vision"),
        ("nvg", "night-vision"),
        ("restlichtversterker", "night-vision"),
        ("warmtebeeldcamera", "thermal-imaging"),
        ("Infrarood", "thermal-imaging"),
        ("UAV", "drones-uav"),
        ("onbemand luchtvaartuig", "drones-uav"),
        ("C-UAS", "counter-drone"),
        ("c uas", "counter-drone"),
        ("drone-detectie", "counter-drone"),
        ("dronedetectie", "counter-drone"),
        ("gasmaskerfilter", "cbrn-filtration"),
        ("NBC filter", "cbrn-filtration"),
        ("actieve kool", "activated-carbon"),
        ("Initiele Militaire Opleiding", "reservist-training"),
        ("bedrijfscontinuiteitsoefening", "crisis-simulation"),
        ("space", "ruimtevaarttechnologie"),
        ("smart materials", "slimme-materialen"),
        ("thermoset-composites", "thermoset-composites"),
    ],
)
def test_lookup(tax: Taxonomy, label: str, expected: str) -> None:
    found = tax.lookup(label)
    assert found is not None, label
    assert found.id == expected


def test_lookup_misses_and_kind_filter(tax: Taxonomy) -> None:
    assert tax.lookup("laserzwaard") is None
    assert tax.lookup("") is None
    assert tax.lookup("pantseringen") is None  # lookup is exact; find_in_text handles compounds
    # "AI" is both an NLD-area and a capability label: capabilities win unless asked otherwise.
    assert tax.lookup("AI").id == "artificial-intelligence"  # type: ignore[union-attr]
    assert tax.lookup("AI", kind="nld").id == "intelligente-systemen"  # type: ignore[union-attr]
    assert [c.id for c in tax.lookup_all("AI")] == [
        "artificial-intelligence",
        "intelligente-systemen",
    ]


def test_normalize_label() -> None:
    assert normalize_label("  Counter-UAS ") == "counter uas"
    assert normalize_label("Geïnvesteerd") == "geinvesteerd"
    assert normalize_label("camera's\nen  RF-antennes") == "camera s en rf antennes"


# -------------------------------------------------------------------------------- find_in_text


def _hits(
    tax: Taxonomy, text: str, kinds: tuple[ConceptKind, ...] = ("capability",)
) -> list[tuple[str, str]]:
    return [(h.concept.id, h.matched_text) for h in tax.find_in_text(text, kinds=kinds)]


def test_find_in_text_offsets_point_into_original_text(tax: Taxonomy) -> None:
    text = "Wij leveren Warmtebeeldcamera's en NACHTZICHTAPPARATUUR aan Defensie."
    hits = tax.find_in_text(text)
    assert [(h.concept.id, h.matched_text) for h in hits] == [
        ("thermal-imaging", "Warmtebeeldcamera"),
        ("night-vision", "NACHTZICHTAPPARATUUR"),
    ]
    for h in hits:
        assert text[h.start : h.end] == h.matched_text


def test_find_in_text_dutch_compounds(tax: Taxonomy) -> None:
    hits = tax.find_in_text("nieuwe nachtzichtmonoculairs en warmtebeeldsystemen")
    assert [(h.concept.id, h.matched_text, h.compound) for h in hits] == [
        ("night-vision", "nachtzicht", True),
        ("thermal-imaging", "warmtebeeld", True),
    ]
    # Suffix part of a compound: "voertuigpantsering" is a label itself, "scheepspantsering" not.
    assert _hits(tax, "scheepspantsering") == [("ballistic-protection", "pantsering")]


def test_find_in_text_leftmost_longest(tax: Taxonomy) -> None:
    assert _hits(tax, "dronedetectiesystemen") == [("counter-drone", "dronedetectie")]
    assert _hits(tax, "drone-detectiesystemen") == [("counter-drone", "drone-detectie")]
    assert _hits(tax, "dronebestrijding en drones") == [
        ("counter-drone", "dronebestrijding"),
        ("drones-uav", "drones"),
    ]
    assert _hits(tax, "kogelwerende vesten") == [("body-armour", "kogelwerende vesten")]


def test_find_in_text_guards_against_false_positives(tax: Taxonomy) -> None:
    # Tiny acronyms only as capitals and whole words; English labels are not compounded.
    assert _hits(tax, "ir. Jansen zei ai, in de schoolklassen", kinds=("capability", "nld")) == []
    assert _hits(tax, "IR en AI") == [
        ("thermal-imaging", "IR"),
        ("artificial-intelligence", "AI"),
    ]
    assert _hits(tax, "kaiser guava irrigatie") == []
    assert _hits(tax, "cyberspace", kinds=("nld",)) == []


def test_find_in_text_plural_and_english(tax: Taxonomy) -> None:
    assert _hits(tax, "Radars, antennas and thermal cameras") == [
        ("radar", "Radars"),
        ("rf-antennas", "antennas"),
        ("thermal-imaging", "thermal cameras"),
    ]


def test_find_in_text_kinds_resolve_overlaps_separately(tax: Taxonomy) -> None:
    hits = tax.find_in_text("quantumcomputing")
    assert {(h.concept.kind, h.concept.id) for h in hits} == {
        ("capability", "quantum-technology-applications"),
        ("nld", "quantumtechnologie"),
    }
    assert _hits(tax, "quantumcomputing", kinds=("nld",)) == [("quantumtechnologie", "quantum")]


def test_find_in_text_inflected_multiword_labels(tax: Taxonomy) -> None:
    # Every word of a label may be inflected (adjective -e, plural -en): no compound.
    hits = tax.find_in_text("onbemande vliegtuigen", kinds=("capability",))
    assert [(h.concept.id, h.matched_text, h.compound) for h in hits] == [
        ("drones-uav", "onbemande vliegtuigen", False)]
    hits = tax.find_in_text("sensoren en logistieke", kinds=("capability",))
    assert [(h.concept.id, h.compound) for h in hits] == [
        ("sensing", False), ("logistics", False)]
    assert _hits(tax, "Assemblies") == [("contract-manufacturing", "Assemblies")]


def test_find_in_text_splits_compounds_only_between_constituents(tax: Taxonomy) -> None:
    # A label is found inside a compound only where the compound has a seam: "luchtvaartuigen"
    # is lucht + vaartuigen (aircraft), not luchtvaart (aviation) + "uigen"; "glaswerk" is
    # glas + werk, not g + laswerk (welding).
    assert "aerospace" not in {h.concept.id for h in tax.find_in_text("luchtvaartuigen")}
    assert _hits(tax, "Glaswerk Borger") == []
    # ...while a label that is a true part still counts, as modifier or as head.
    assert _hits(tax, "warmtebeeldcamera's") == [("thermal-imaging", "warmtebeeldcamera")]
    assert _hits(tax, "verkenningsdrones") == [("drones-uav", "drones")]
    assert _hits(tax, "natransport") == [("logistics", "transport")]
    assert _hits(tax, "koolstofvezelversterkte") == [("composite-materials", "koolstofvezel")]
    # A word is no compound of a label it merely starts with: "vliegtuigen" is not
    # "vliegtuigonderdelen" (aircraft components).
    assert _hits(tax, "vliegtuigen") == []


@pytest.mark.parametrize(("word", "forms"), [
    ("vliegtuig", {"vliegtuigen", "vliegtuigs"}),
    ("onbemand", {"onbemande"}),
    ("bril", {"brillen"}),
    ("systeem", {"systemen"}),
    ("groot", {"grote"}),
    ("lief", {"lieve"}),
    ("drone", {"drones"}),
    ("technologie", {"technologieen"}),
    ("thermoplast", {"thermoplastische"}),
])
def test_dutch_forms(word: str, forms: set[str]) -> None:
    assert forms <= dutch_forms(word)


def test_english_forms() -> None:
    assert {"radars", "batteries"} <= english_forms("radar") | english_forms("battery")
    assert english_forms("UV") == frozenset()


# -------------------------------------------------------------------------------- hierarchy


def test_closures(tax: Taxonomy) -> None:
    assert tax.broader_closure("image-intensifiers") == ["night-vision", "sensing"]
    assert tax.broader_closure("sensing") == []
    assert set(tax.narrower_closure("protection")) >= {
        "ballistic-protection",
        "body-armour",
        "vehicle-armour",
        "cbrn-filtration",
    }
    assert set(tax.narrower_closure("ballistic-protection")) == {"body-armour", "vehicle-armour"}
    with pytest.raises(KeyError):
        tax.broader_closure("does-not-exist")


def test_areas_of_inherits_from_broader(tax: Taxonomy) -> None:
    assert tax.capabilities["body-armour"].nld_areas == ()
    assert tax.areas_of("body-armour") == ("slimme-materialen",)
    assert set(tax.areas_of("quantum-technology-applications")) == {
        "quantumtechnologie",
        "intelligente-systemen",
    }
    # Own areas first, then inherited ones: space weather adds nothing from space-technology.
    assert tax.areas_of("space-weather") == ("ruimtevaarttechnologie", "sensoren")
    assert tax.areas_of("image-intensifiers") == ("sensoren",)
    assert tax.areas_of("sensoren") == ("sensoren",)


def test_concept_label_and_hash(tax: Taxonomy) -> None:
    c = tax.capabilities["ballistic-protection"]
    assert c.label("nl") == "Ballistische bescherming"
    assert c.label("en") == "Ballistic protection"
    assert c.label("de") == "Ballistische bescherming"  # falls back to Dutch
    assert c.iri == str(iri_for("capability", "ballistic-protection"))
    assert "pantsering" in c.alt_labels["nl"] and "armour" in c.alt_labels["en"]
    assert len({c, tax.capabilities["ballistic-protection"]}) == 1
    bare = Concept(
        id="x", iri="urn:x", kind="capability", pref_label={}, alt_labels={}, definition={}
    )
    assert bare.label("nl") == "x"


# -------------------------------------------------------------------------------- graphs


def test_graph_equals_the_turtle_files(tax: Taxonomy, onto: Graph) -> None:
    assert_isomorphic(onto, tax.graph(include_shapes=False))
    full = tax.graph()
    shapes = Graph().parse(
        data=(files("ontology") / "shapes.ttl").read_text(encoding="utf-8"), format="turtle"
    )
    assert_isomorphic(onto + shapes, full)


def test_graph_returns_a_copy(tax: Taxonomy) -> None:
    g = tax.graph()
    size = len(g)
    g.remove((None, None, None))
    assert len(tax.graph()) == size


def test_turtle_round_trip(tax: Taxonomy) -> None:
    g = tax.graph()
    again = Graph().parse(data=g.serialize(format="turtle"), format="turtle")
    assert_isomorphic(g, again)


def test_assert_isomorphic_reports_the_difference() -> None:
    a = Graph()
    a.add((URIRef("urn:a"), RDFS.label, Literal("x")))
    b = Graph()
    b.add((URIRef("urn:a"), RDFS.label, Literal("y")))
    with pytest.raises(
        pytest.fail.Exception, match=r'(?s)only in expected.*"x".*only in actual.*"y"'
    ):
        assert_isomorphic(a, b)


# -------------------------------------------------------------------------------- vocab


def test_iri_helpers() -> None:
    iri = iri_for("company", "99000001")
    assert str(iri) == "https://w3id.org/paraat/id/company/99000001"
    assert parse_iri(iri) == ("company", "99000001")
    odd = iri_for("municipality", "Aa en Hunze")
    assert " " not in str(odd)
    assert parse_iri(odd) == ("municipality", "Aa en Hunze")
    assert parse_iri("https://example.org/x") is None
    assert parse_iri("https://w3id.org/paraat/id/spaceship/x") is None
    with pytest.raises(ValueError):
        iri_for("spaceship", "x")
    with pytest.raises(ValueError):
        iri_for("company", "  ")
    with pytest.raises(ValueError):
        id_of(iri, kind="capability")
    with pytest.raises(AttributeError):
        _ = PA.kvknumber  # typo must not silently mint a term
