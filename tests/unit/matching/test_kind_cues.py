"""Which kinds of supply a question names as the thing it asks for (issue 19): only those
compete with the companies at full weight. Topic words (what the asked thing is for, near or
about) and English modifiers name no kind; a company asked for keeps every other kind at the
supply prior."""

from __future__ import annotations

import pytest

from matching.kinds import KindCues, kind_cues, read_kind_cues, request_head


@pytest.mark.parametrize(("text", "kinds"), [
    # the kind asked for, in the question's head
    ("100 hectare bij de A37", {"site"}),
    ("opleiding voor reservisten", {"programme"}),
    ("Een opleidingsprogramma voor reservisten", {"programme"}),
    ("a test facility for drones", {"facility"}),
    ("research partner for sensor technology", {"institution"}),
    ("Kennispartner voor elektromagnetische dreigingsdetectie", {"institution"}),
    ("Military training ground that could also be shared with farmers", {"site"}),
    ("Space for XXL defence industry", {"site"}),
    ("We are looking for a test location near the airport", {"facility", "site"}),
    ("Can we test our drones at a facility near Assen?", {"facility"}),
    ("Kunnen burgers meeprofiteren van de gebieden waar helikopters laag vliegen?", {"site"}),
    ("Refresher courses and training for professionals in security", {"programme"}),
])
def test_a_kind_named_as_the_thing_asked_for_counts(text: str, kinds: set[str]) -> None:
    assert kind_cues(text) == kinds


@pytest.mark.parametrize("text", [
    # the kind word is the purpose, the place or the topic of what is asked
    "Patient simulators for training combat medics in trauma care",
    "Measuring air quality and noise around a military airfield for the neighbours",
    "Onderwatergeluid meten om duikers te ontdekken die een marinehaven naderen.",
    "Snelle, wendbare boten voor patrouilles op binnenwateren en in havens",
    "Snelle bloedtesten zonder laboratorium, voor een medische post",
    "Een vliegbasis wil ongewenste drones boven het terrein opmerken en onschadelijk maken.",
    # an English modifier: the next word is the head of the phrase
    "An unmanned ground vehicle that can drive itself off-road",
    "Space domain awareness: keeping track of satellites and debris in orbit",
    "We have our own small satellite and need ground station passes",
    "Land systems integration and vehicle electronics",
    # a compound whose head is a party names the party, not a course
    "Opleidingspartner voor een regionaal programma om burgers op te leiden",
    # what is to be found out about a place is the topic ("of" = whether)
    "We willen weten of de grond van een kazerne vervuild is",
    "We want to know if a training area is still passable after heavy rain",
])
def test_a_topic_word_gives_no_kind_full_weight(text: str) -> None:
    assert kind_cues(text) == frozenset(), read_kind_cues(text).matched


@pytest.mark.parametrize("text", [
    "Leverancier die dagelijks vers kan bezorgen bij de keuken van een kazerne",
    "Wij zoeken een bedrijf dat kleine drones boven een kazerne kan opsporen.",
    "Trainingsbedrijf voor schietinstructie op een schietbaan",
    "A company offering training courses in first aid",
    "Which manufacturer builds shooting ranges?",
    "Wie maakt zulke terminals?",
])
def test_a_company_asked_for_keeps_the_other_kinds_at_the_prior(text: str) -> None:
    cues = read_kind_cues(text)
    assert cues.company, cues.matched
    assert cues.full_weight == frozenset()
    assert cues.prior("programme", 0.5) == cues.prior("site", 0.5) == 0.5
    assert cues.prior("company", 0.5) == 1.0


def test_a_compound_with_a_company_word_as_modifier_is_no_company() -> None:
    # "bedrijfskavel" is a plot; the maintenance company is what the plot is for
    cues = read_kind_cues("Bedrijfskavel op een vliegveld voor een onderhoudsbedrijf")
    assert not cues.company and cues.full_weight == {"site"}


def test_a_stated_place_keeps_a_site_at_full_weight_beside_a_company() -> None:
    cues = read_kind_cues("Bedrijf dat een locatie van 20 ha kan ontwikkelen").with_place()
    assert cues.company and cues.full_weight == {"site"}
    assert cues.prior("site", 0.5) == 1.0 and cues.prior("programme", 0.5) == 0.5


def test_the_head_skips_the_words_of_asking_and_ends_at_the_purpose() -> None:
    text = "We are looking for a rapidly deployable facility to clean up personnel"
    a, b = request_head(text)
    assert text[a:b].strip() == "rapidly deployable facility"


def test_the_cues_show_the_words_that_named_them() -> None:
    d = read_kind_cues("A training programme for reservists").as_dict()
    assert d["kinds"] == ["programme"] and d["matched"] == {"programme": ["programme"]}
    assert KindCues().as_dict()["kinds"] == []


def test_a_party_asked_for_lowers_places_and_courses_but_not_institutions() -> None:
    cues = read_kind_cues("Opleidingspartner voor burgers die deeltijdmilitair willen worden")
    assert cues.party and not cues.company and cues.full_weight == frozenset()
    assert cues.prior("programme", 0.5, 0.35) == cues.prior("facility", 0.5, 0.35) == 0.35
    assert cues.prior("institution", 0.5, 0.35) == 0.5
    # a question that names no kind and no party: every other kind at the supply prior
    plain = read_kind_cues("Warmtebeeldcamera's voor bewakingsposten")
    assert plain.prior("programme", 0.5, 0.35) == 0.5
    # a company asked for: institutions too
    assert read_kind_cues("Welk bedrijf maakt zulke sensoren?").prior("institution", 0.5,
                                                                     0.35) == 0.35


def test_a_knowledge_partner_is_an_institution_at_full_weight() -> None:
    cues = read_kind_cues("research partner for sensor technology")
    assert cues.full_weight == {"institution"}
    assert cues.prior("institution", 0.5, 0.35) == 1.0
    assert cues.prior("programme", 0.5, 0.35) == 0.35


def test_concepts_of_a_kind_not_asked_for_are_not_found_by_embedding() -> None:
    from matching.kinds import kind_concepts, of_kinds_asked
    from ontology.taxonomy import load_taxonomy

    of_kind = kind_concepts(load_taxonomy())
    assert of_kind["airspace-co-use"] == {"site"} and "counter-drone" not in of_kind
    assert {"institution", "facility"} <= of_kind["test-facility"]
    near = [("airspace-co-use", 0.86), ("counter-drone", 0.85)]
    # drones to stop, not a place: the low-flying routes concept gives way
    assert of_kinds_asked("Ongewenste drones boven het terrein opmerken", near, of_kind) == [
        ("counter-drone", 0.85)]
    # a place asked for (by a word, or by an area) keeps it
    assert of_kinds_asked("Een locatie om drones te testen", near, of_kind) == near
    assert of_kinds_asked("20 ha voor drones", near, of_kind) == near
