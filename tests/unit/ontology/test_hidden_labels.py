"""skos:hiddenLabel: a word for the thing that finds it in text without changing what the
concept is close to (its embedding text) or how it is shown.

"Heavy-lift multirotor platforms" had no drone concept; adding "multirotor" as an altLabel
pushed Dutch labels out of the drone concept's (16-label) embedding text, and questions such as
"Onbemande toestellen die bevoorrading ... kunnen vliegen" lost the concept.
"""

from __future__ import annotations

from ingest.ontology_loader import concept_text
from ontology.taxonomy import load_taxonomy


def test_a_hidden_label_finds_its_concept_in_text() -> None:
    tax = load_taxonomy()
    hits = tax.find_in_text("Heavy-lift multirotor platforms carrying up to 25 kg")
    assert [(h.concept.id, h.matched_text) for h in hits] == [("drones-uav", "multirotor")]
    assert [h.concept.id for h in tax.find_in_text("multirotors en multicopters")] == [
        "drones-uav", "drones-uav"]


def test_a_hidden_label_is_no_name_of_the_concept() -> None:
    drones = load_taxonomy().capabilities["drones-uav"]
    assert "multirotor" in drones.hidden_labels["en"]
    assert "multirotor" not in drones.all_labels()
    assert "multirotor" not in concept_text(drones)
    assert "onbemand luchtvaartuig" in concept_text(drones)
