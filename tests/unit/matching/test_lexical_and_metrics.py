"""Pure parts of the matcher: Lucene query building, language detection, metrics."""

from __future__ import annotations

import json
import math

import pytest

from matching.evaluate import EVAL_DIR
from matching.lexical import (
    FUNCTION_WORDS,
    detect_lang,
    is_request_word,
    lucene_query,
    matched_terms,
    only_request_words,
    request_spans,
    split_sentences,
    terms,
    without_spans,
)
from matching.metrics import mrr_ndcg_recall
from matching.request import REQUEST_FORMS, REQUEST_WORDS


def test_terms_drop_stopwords_and_fold_diacritics() -> None:
    assert terms("Wij zoeken een coöperatie voor ballistische bescherming") == [
        "cooperatie", "ballistische", "bescherming"]


@pytest.mark.parametrize("evil", [
    'name:"x" OR *:*', "a AND NOT b", "title:(x) ~2 ^10", "\\\" }) DETACH DELETE n //",
    "drone* [a TO z] {x}", "&& || ! ( ) : / \\",
])
def test_user_text_cannot_inject_lucene_syntax(evil: str) -> None:
    q = lucene_query(evil)
    # Operators are folded to lowercase (Lucene only honours upper-case AND/OR/NOT) or dropped.
    for part in filter(None, q.split(" OR ")):
        assert part.isalnum() and part == part.lower(), part
    assert "*" not in q and ":" not in q and "(" not in q


def test_concept_phrases_are_quoted_and_boosted() -> None:
    q = lucene_query("warmtebeeldcamera", phrases=["warmtebeeld", "thermal imaging"])
    assert q == 'warmtebeeldcamera OR "warmtebeeld"^0.5 OR "thermal imaging"^0.5'


def test_matched_terms_use_stems_and_compounds() -> None:
    text = "Wij bouwen drones en warmtebeeldcamera's voor inspecties."
    assert matched_terms(["drone", "warmtebeeld", "inspectie", "bakker"], text) == [
        "drone", "warmtebeeld", "inspectie"]


ASKING_NL = "Wij zoeken een partij die onbemande vliegtuigen kan leveren voor verkenning"
ASKING_EN = ("We are looking for a supplier or company that can provide and supply unmanned "
             "aircraft; we need someone to deliver them")


def test_words_of_asking_are_no_search_terms() -> None:
    assert terms(ASKING_NL) == ["onbemande", "vliegtuigen", "verkenning"]
    assert terms(ASKING_EN) == ["unmanned", "aircraft"]
    assert terms("Welke toeleverancier levert kabelbomen? Defensie wil graag aanbiedingen") == [
        "kabelbomen", "aanbiedingen"]
    q = lucene_query(ASKING_NL + " " + ASKING_EN)
    assert not [t for t in q.split(" OR ") if is_request_word(t)], q


def test_words_of_asking_are_no_matched_terms() -> None:
    text = "GKN is een toeleverancier en levert vliegtuigconstructies; leveranciers leveren."
    assert matched_terms(terms(ASKING_NL), text) == ["vliegtuigen"]


def test_request_words_are_folded_forms_in_one_list() -> None:
    assert REQUEST_WORDS == {f for groups in REQUEST_FORMS.values() for lemmas in
                             groups.values() for forms in lemmas.values() for f in forms}
    for word in REQUEST_WORDS:
        assert word == word.lower() and word.isalpha() and word.isascii(), word
    for word in ("Leverancier", "LEVEREN", "levert", "geleverd", "zoekt", "partijen",
                 "bedrijven", "Supplier", "providing", "looking", "companies", "Defensie"):
        assert is_request_word(word), word
    for word in ("drones", "vliegtuigen", "levering" + "szekerheid", "power", "lever" + "age"):
        assert not is_request_word(word), word
    assert not REQUEST_WORDS & FUNCTION_WORDS  # one list each, no word in both


def test_question_without_words_of_asking() -> None:
    def asked(text: str, keep: list[tuple[int, int]] | None = None) -> str:
        return without_spans(text, request_spans(text, keep or []))

    assert asked(ASKING_NL) == "een die onbemande vliegtuigen voor verkenning"
    # A label the question names keeps its words ("power supply" is asked for).
    q = "We need a partner for the power supply of a radar post"
    start = q.index("power supply")
    assert asked(q, [(start, start + len("power supply"))]) == (
        "a for the power supply of a radar post")
    assert asked("Wie kan leveren?") == ""  # nothing asked for
    assert only_request_words("Leverancier") and not only_request_words("power supply")
    assert not only_request_words("")


def test_sentences() -> None:
    text = "Eerste zin. Tweede zin! Derde zin? 3D-printen kan ook."
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "Eerste zin.", "Tweede zin!", "Derde zin?", "3D-printen kan ook."]


def test_detect_lang() -> None:
    assert detect_lang("Wij zoeken nachtzichtapparatuur voor voertuigbemanningen") == "nl"
    assert detect_lang("counter-drone detection for an airfield") == "en"
    # no function words at all: letter patterns decide
    for text, lang in [("handheld jammer against hostile quadcopters", "en"),
                       ("night vision goggles", "en"), ("rugged laptops", "en"),
                       ("kogelwerende vesten", "nl"), ("warmtebeeldcamera", "nl"),
                       ("robuuste laptops", "nl")]:
        assert detect_lang(text) == lang, text


def test_detect_lang_on_the_labelled_questions() -> None:
    rows = [json.loads(line) for line in
            (EVAL_DIR / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line]
    wrong = [r["question"] for r in rows if detect_lang(r["question"]) != r["lang"]]
    assert wrong == []


def test_metrics_against_hand_computed_values() -> None:
    rr, ndcg, r5 = mrr_ndcg_recall(["a", "x", "b", "y"], {"b", "z"})
    assert rr == pytest.approx(1 / 3)
    assert ndcg == pytest.approx((1 / math.log2(4)) / (1 + 1 / math.log2(3)))
    assert r5 == 0.5
    assert mrr_ndcg_recall([], {"a"}) == (0.0, 0.0, 0.0)
