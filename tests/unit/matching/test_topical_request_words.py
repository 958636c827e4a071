"""Which words of asking a concept found by embedding is confirmed without (issue 17, item 11).

Only the words with a topic of their own (seeking, supplying, the party asked for, Defence) can
pull a question's embedding towards a concept; pronouns, modals and question words cannot, and
cutting them as well dropped true concepts of ordinary questions ("Zware drone die tot twintig
kilo lading kan meenemen" lost uncrewed systems).
"""

from __future__ import annotations

from matching.lexical import request_spans, without_spans
from matching.request import REQUEST_WORDS, TOPICAL_REQUEST_WORDS


def _cut(text: str, topical: bool) -> str:
    return without_spans(text, request_spans(text, topical=topical))


def test_topical_words_of_asking_are_a_part_of_the_list() -> None:
    assert TOPICAL_REQUEST_WORDS < REQUEST_WORDS
    for word in ("leveren", "leverancier", "zoeken", "partij", "defensie", "supply",
                 "supplier", "looking", "need", "company", "defence"):
        assert word in TOPICAL_REQUEST_WORDS, word
    for word in ("wij", "onze", "kan", "moet", "welke", "we", "our", "can", "which"):
        assert word in REQUEST_WORDS and word not in TOPICAL_REQUEST_WORDS, word


def test_only_topical_words_are_cut_for_confirmation() -> None:
    q = "Zware drone die tot twintig kilo lading kan meenemen"
    assert _cut(q, topical=False) == "Zware drone die tot twintig kilo lading meenemen"
    assert _cut(q, topical=True) == q  # nothing with a topic to leave out
    q = "Wij zoeken een partij die onbemande vliegtuigen kan leveren"
    assert _cut(q, topical=True) == "Wij een die onbemande vliegtuigen kan"
    q = "We need a supplier for mechanical subassemblies"
    assert _cut(q, topical=True) == "We a for mechanical subassemblies"


def test_a_named_label_keeps_its_topical_words() -> None:
    q = "We need a partner for the power supply of a radar post"
    start = q.index("power supply")
    spans = request_spans(q, [(start, start + len("power supply"))], topical=True)
    assert without_spans(q, spans) == "We a for the power supply of a radar post"
