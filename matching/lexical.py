"""Turning a question into a safe Lucene query, and finding the terms that matched.

User text never reaches Lucene as syntax: terms are reduced to letters and digits, so
operators, wildcards and fields cannot be injected. Concept labels found in the question
(including inside Dutch compounds) are added as quoted phrases, which is how
"warmtebeeldcamera" meets a company that wrote "warmtebeeld".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

STOPWORDS = frozenset("""
de het een en of van voor met op in aan uit bij naar door over onder als dat die dit deze
wie wat waar welke wij we ons onze jullie zij ze hij zij is zijn was waren wordt worden kan
kunnen moet moeten zoeken zoek zoekt gezocht nodig graag ook nog niet geen er om te tot
leverancier leveranciers bedrijf bedrijven iemand partij partijen mogelijk hebben heeft
the a an and or of for with on in at from by to into about as that this these those who
what where which we our you your they their is are was were be been can could should must
need needs needed looking look find supplier suppliers company companies someone anyone
able provide provides offer offers any some have has it its than then also not no
""".split())

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
