"""The fine-tuning recipe's pairs and batches (app/finetune.py): fixed, seeded, one pair per
concept in a batch, and nothing from the evaluation sets."""

from __future__ import annotations

from pathlib import Path

from app.finetune import Recipe, agenda_sentences, batches, build_pairs
from ontology.taxonomy import load_taxonomy

AGENDA = ("Drenthe staat paraat.\n\nIn Emmen maken bedrijven aramidevezels voor kogelwerende \n"
          "vesten en andere bescherming.\n\n12\n\nPijler 2\n\nDe drone-industrie groeit "
          "snel in de regio rond Assen en Eelde.")


def test_agenda_sentences_join_wrapped_lines_and_drop_short_ones() -> None:
    sentences = agenda_sentences(AGENDA)
    assert sentences[0].startswith("In Emmen maken bedrijven aramidevezels voor kogelwerende "
                                   "vesten en andere bescherming.")
    assert "Drenthe staat paraat." not in sentences  # too short to pair
    # Recipe version 1 splits only before a capital: a page number or heading that follows a
    # sentence glues it to the next one (a known limit, docs/finetune.md).
    assert sentences[0].endswith("rond Assen en Eelde.")


def test_pairs_are_fixed_and_come_from_the_ontology_and_the_agenda() -> None:
    tax = load_taxonomy()
    recipe = Recipe()
    pairs = build_pairs(tax, AGENDA, recipe)
    assert pairs == build_pairs(tax, AGENDA, recipe)
    kinds = {p.kind for p in pairs}
    assert {"pref-nl-en", "label-def-nl", "alt-pref-en", "label-agenda-nl"} <= kinds
    agenda = [p for p in pairs if p.kind.startswith("label-agenda")]
    assert {p.concept for p in agenda} >= {"aramid-fibres"}
    eval_dir = Path(__file__).resolve().parents[3] / "matching" / "eval"
    questions = "".join(f.read_text(encoding="utf-8") for f in eval_dir.rglob("*.jsonl"))
    assert not any(len(p.query) > 40 and p.query in questions for p in pairs)


def test_batches_are_seeded_and_hold_one_pair_per_concept() -> None:
    pairs = build_pairs(load_taxonomy(), AGENDA, Recipe())
    recipe = Recipe(steps=20, batch=16)
    plan = batches(pairs, recipe)
    assert plan == batches(pairs, recipe) and len(plan) == 20
    for batch in plan:
        assert len(batch) == 16 and len({p.concept for p in batch}) == 16
    assert batches(pairs, Recipe(steps=20, batch=16, seed=1)) != plan
