"""Turning a question into a safe Lucene query, and finding the terms that matched.

User text never reaches Lucene as syntax: terms are reduced to letters and digits, so
operators, wildcards and fields cannot be injected. Concept labels found in the question
(including inside Dutch compounds) are added as quoted phrases, which is how
"warmtebeeldcamera" meets a company that wrote "warmtebeeld". The words of asking ("wij zoeken
een leverancier die ... kan leveren") are no search terms and no evidence (`matching.request`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from matching.request import REQUEST_WORDS, TOPICAL_REQUEST_WORDS

FUNCTION_WORDS = frozenset("""
de het een en of van voor met op in aan uit bij naar door over onder als dat die dit deze
waar jullie zij ze hij is zijn was waren wordt worden niet geen er om te tot ook nog
the a an and or of for with on in at from by to into about as that this these those
where you your they them their is are was were be been any some have has it its than then
also not no
""".split())
#: Not searched for: function words, and the words of asking (`matching.request`).
STOPWORDS = FUNCTION_WORDS | REQUEST_WORDS

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lowercase without diacritics ("coöperatie" -> "cooperatie")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Two letters in a row, in any script: what a question (or a loket text) needs to be one. The
# API schema states the rule with this pattern; `has_word` is the same test (isalpha is \p{L}).
WORD_PATTERN = r"\p{L}\p{L}"


def has_word(text: str) -> bool:
    return any(a.isalpha() and b.isalpha() for a, b in zip(text, text[1:], strict=False))


def terms(text: str) -> list[str]:
    """Content words of a question, folded, in order, without duplicates."""
    out: list[str] = []
    for tok in _TOKEN.findall(fold(text)):
        if len(tok) < 2 or tok in STOPWORDS or tok.isdigit():
            continue
        if tok not in out:
            out.append(tok)
    return out


def is_request_word(word: str) -> bool:
    """A word of asking (`matching.request`), in any case or accents."""
    return fold(word) in REQUEST_WORDS


def only_request_words(text: str) -> bool:
    """True when every word of `text` is a word of asking (and there is one)."""
    words = _TOKEN.findall(text)
    return bool(words) and all(is_request_word(w) for w in words)


def request_spans(text: str, keep: Sequence[tuple[int, int]] = (), *, topical: bool = False
                  ) -> list[tuple[int, int]]:
    """(start, end) of each word of asking in `text`, except inside a `keep` span (a concept
    label the question names: "power supply" is asked for); with `topical`, only the words
    of asking that have a topic of their own (`matching.request.TOPICAL_GROUPS`)."""
    words = TOPICAL_REQUEST_WORDS if topical else REQUEST_WORDS
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text)
            if fold(m.group()) in words
            and not any(a <= m.start() and m.end() <= b for a, b in keep)]


def without_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """`text` with the spans cut out and the spacing tidied; "" when no word is left."""
    parts: list[str] = []
    pos = 0
    for a, b in sorted(set(spans)):
        if a >= pos:
            parts.append(text[pos:a])
            pos = b
    parts.append(text[pos:])
    out = re.sub(r"\s+([,.;:!?)])", r"\1", re.sub(r"\s+", " ", "".join(parts)))
    out = out.strip(" ,;:")
    return out if _TOKEN.search(out) else ""


def lucene_query(question: str, phrases: Iterable[str] = (), phrase_boost: float = 0.5
                 ) -> str:
    """A Lucene query of plain terms (OR) plus boosted concept-label phrases."""
    parts = list(terms(question))
    for ph in dict.fromkeys(phrases):
        words = [w for w in _TOKEN.findall(fold(ph)) if w]
        if words:
            parts.append(f'"{" ".join(words)}"^{phrase_boost:g}')
    return " OR ".join(parts)


def _stem(word: str) -> str:
    """A crude shared stem for explanation highlighting (Lucene did the real stemming)."""
    for suf in ("ingen", "ing", "en", "es", "s", "e"):
        if len(word) - len(suf) >= 4 and word.endswith(suf):
            return word[: -len(suf)]
    return word


def matched_terms(question_terms: Sequence[str], text: str) -> list[str]:
    """Question terms that occur in the text (same stem, or as part of a compound)."""
    words = {_stem(w) for w in _TOKEN.findall(fold(text))}
    joined = " ".join(_TOKEN.findall(fold(text)))
    out = []
    for t in question_terms:
        st = _stem(t)
        if st in words or (len(st) >= 5 and st in joined):
            out.append(t)
    return out


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) of a description."""
    spans = []
    start = 0
    for m in re.finditer(r"(?<=[.!?])\s+(?=[A-Z0-9À-Ý\"'(])", text):
        spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def detect_lang(text: str) -> str:
    """nl or en, from function words; short questions without any fall back on letter
    patterns typical of each language ("ij", "sch", "oe" against "th", "wh", "-tion")."""
    folded = fold(text)
    words = re.findall(r"[^\W\d_]+", folded)
    nl = sum(w in _NL for w in words)
    en = sum(w in _EN for w in words)
    if nl == en:
        nl = len(_NL_LETTERS.findall(folded))
        en = len(_EN_LETTERS.findall(folded))
    return "en" if en > nl else "nl"


_NL = frozenset("de het een en van voor met wij zoeken die dat op zijn ons onze naar bij uit "
                "leverancier leveranciers nodig wie welke kan graag ook te tegen zonder om als "
                "door aan wat hoe waar moet moeten willen kunnen wordt worden er hun deze dit "
                "geen niet maar".split())
_EN = frozenset("the a an and of for with we need looking who which are our to from "
                "supplier suppliers can also that this against without into on at by as or "
                "how what where must should want would be been their these not but".split())
_NL_LETTERS = re.compile(r"ij|sch|oe|ui|aa|uu|ee|cht|en\b")
_EN_LETTERS = re.compile(r"th|wh|sh|gh|tion|ic\b|(?<=[^aeiou])y\b|ck|ing\b|ts\b|ed\b")
