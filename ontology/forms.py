"""Label folding and word forms: what counts as the same word in Dutch and English text.

Users type Dutch and English, with or without hyphens, accents and capitals, and Dutch glues
words together ("warmtebeeldcamera's", "nachtzichtapparatuur"). Label matching therefore works
on folded tokens (NFKD without accents, casefolded, split on everything that is not a letter or
digit) and lets a label of at least `MIN_COMPOUND_PART` characters match as the first or last
part of a longer word; a word also matches its inflected forms (`dutch_forms`, `english_forms`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Final

#: Labels shorter than this only match whole words ("AI", "IR", "UAV" must not hit inside words).
MIN_COMPOUND_PART: Final = 4
#: The shortest modifier before, and head after, a label inside a compound word ("na|transport",
#: "warmtebeeld|camera"): a shorter rest is a wrong split ("g|laswerk") or an inflection
#: ("sensor|en", matched as a form of the label instead).
MIN_COMPOUND_MODIFIER: Final = 2
MIN_COMPOUND_HEAD: Final = 3


def _fold_char(ch: str) -> str:
    if ch.isascii():
        return ch.lower()
    return "".join(
        c.casefold() for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
    )


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """Folded text plus, for each folded character, the index of its source character."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        out.append(folded)
        index.extend([i] * len(folded))
    return "".join(out), index


def folded_tokens(folded: str) -> Iterator[tuple[str, int, int]]:
    """Alphanumeric runs of an already folded string as (token, start, end)."""
    start = -1
    for i, ch in enumerate(folded):
        if ch.isalnum():
            if start < 0:
                start = i
        elif start >= 0:
            yield folded[start:i], start, i
            start = -1
    if start >= 0:
        yield folded[start:], start, len(folded)


def label_tokens(text: str) -> tuple[str, ...]:
    folded, _ = fold_with_map(text)
    return tuple(t for t, _, _ in folded_tokens(folded))


def normalize_label(text: str) -> str:
    """Case-, accent-, hyphen- and whitespace-insensitive key: "Counter-UAS" -> "counter uas"."""
    return " ".join(label_tokens(text))


_VOWELS: Final = frozenset("aeiouy")


def dutch_forms(word: str) -> frozenset[str]:
    """Inflected forms of a Dutch word: plural (-en, -s, -n), adjective or plural -e, with the
    spelling changes Dutch writes: a doubled consonant after a short vowel (bril -> brillen),
    a halved long vowel (systeem -> systemen, groot -> grote), f -> v and s -> z
    (lief -> lieve); and the adjective in -isch(e). Over-generation is harmless: a form only
    counts when a text has it."""
    if len(word) < MIN_COMPOUND_PART or not word.isalpha():
        return frozenset()
    out = {word + "s"}
    if word.endswith("heid"):
        out.add(word[:-4] + "heden")
    if word.endswith("ie"):
        out.add(word + "en")  # technologie -> technologieen (folded)
    if word.endswith("e"):
        out.add(word + "n")
        return frozenset(out)
    stems = {word}
    last, prev, before = word[-1], word[-2], word[-3]
    if last not in _VOWELS and prev in _VOWELS:
        if before not in _VOWELS:
            stems.add(word + last)  # short vowel: bril -> brill-en
        elif before == prev and (len(word) < 4 or word[-4] not in _VOWELS):
            stems.add(word[:-2] + last)  # long vowel: systeem -> system-en
    if last == "f":
        stems |= {st[:-1] + "v" for st in stems}
    elif last == "s":
        stems |= {st[:-1] + "z" for st in stems}
    for st in stems:
        out |= {st + "en", st + "e"}
    out |= {word + "isch", word + "ische"}  # thermoplast -> thermoplastische
    return frozenset(out)


def english_forms(word: str) -> frozenset[str]:
    """Plural forms of an English word (radar -> radars, battery -> batteries)."""
    if len(word) < 3 or not word.isalpha():
        return frozenset()
    out = {word + "s", word + "es"}
    if word.endswith("y") and word[-2] not in _VOWELS:
        out.add(word[:-1] + "ies")
    return frozenset(out)
