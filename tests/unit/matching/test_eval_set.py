"""Consistency checks for the matcher evaluation set in ``matching/eval/``.

``registry.csv`` holds fictional Drentse-style companies (genuine suppliers and distractors),
``questions.jsonl`` holds Dutch and English demand questions with their relevant KvK numbers
(registry companies and/or the seed companies from ``ingest/data/seed/companies.csv``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[3]
EVAL_DIR = ROOT / "matching" / "eval"
REGISTRY = EVAL_DIR / "registry.csv"
QUESTIONS = EVAL_DIR / "questions.jsonl"
SEED_COMPANIES = ROOT / "ingest" / "data" / "seed" / "companies.csv"

REGISTRY_COLUMNS = [
    "kvk_number", "name", "description", "municipality", "website", "employees", "sbi_code",
    "source",
]
MUNICIPALITIES = {
    "aa-en-hunze", "assen", "borger-odoorn", "coevorden", "de-wolden", "emmen", "hoogeveen",
    "meppel", "midden-drenthe", "noordenveld", "tynaarlo", "westerveld",
}
SOURCE = "Paraat evaluatieset — fictief bedrijf"

# words shared by both languages ("in", "we", "is", ...) are left out on purpose
NL_STOP = {"de", "het", "een", "en", "van", "voor", "met", "wij", "onze", "ons", "zijn", "die",
           "dat", "ook", "op", "naar", "bij", "uit", "tot", "wordt", "worden", "aan", "niet",
           "wie", "kan", "waar", "hoe", "zonder", "om", "te", "geen", "nog", "er", "je", "uw",
           "willen", "zoeken", "onder"}
EN_STOP = {"the", "and", "of", "for", "with", "our", "are", "to", "that", "from", "by", "on",
           "a", "an", "your", "you", "every", "it", "at", "who", "can", "without", "how",
           "which", "into", "so", "need", "their"}


def guess_lang(text: str) -> str:
    words = re.findall(r"[a-zà-ÿ]+", text.lower())
    nl = sum(w in NL_STOP for w in words)
    en = sum(w in EN_STOP for w in words)
    return "nl" if nl > en else "en"


@pytest.fixture(scope="module")
def registry() -> pd.DataFrame:
    return pd.read_csv(REGISTRY, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def seed_kvks() -> set[str]:
    seed = pd.read_csv(SEED_COMPANIES, dtype=str, keep_default_na=False)
    return set(seed["kvk_number"])


@pytest.fixture(scope="module")
def questions() -> list[dict[str, Any]]:
    out = []
    with QUESTIONS.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                obj = json.loads(line)
                assert isinstance(obj, dict), f"line {n} is not a JSON object"
                out.append(obj)
    return out


def test_registry_columns_and_size(registry: pd.DataFrame) -> None:
    assert list(registry.columns) == REGISTRY_COLUMNS
    assert len(registry) >= 150


def test_registry_kvk_numbers(registry: pd.DataFrame, seed_kvks: set[str]) -> None:
    kvks = registry["kvk_number"]
    assert kvks.is_unique
    assert kvks.str.fullmatch(r"7\d{7}").all(), kvks[~kvks.str.fullmatch(r"7\d{7}")].tolist()
    assert not set(kvks) & seed_kvks


def test_registry_fields(registry: pd.DataFrame) -> None:
    assert registry["name"].is_unique
    assert (registry["source"] == SOURCE).all()
    assert set(registry["municipality"]) <= MUNICIPALITIES
    assert registry["employees"].str.fullmatch(r"\d+").all()
    assert registry["sbi_code"].str.fullmatch(r"\d{4,5}").all()
    web = registry["website"]
    assert web[web != ""].str.fullmatch(r"https://www\.[a-z0-9-]+\.nl").all()
    for desc in registry["description"]:
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", desc.strip()) if s]
        assert 2 <= len(sentences) <= 4, desc


def test_registry_descriptions_in_both_languages(registry: pd.DataFrame) -> None:
    langs = Counter(guess_lang(d) for d in registry["description"])
    total = sum(langs.values())
    assert langs["nl"] >= 0.4 * total, langs
    assert langs["en"] >= 0.4 * total, langs


def test_questions_shape(questions: list[dict[str, Any]]) -> None:
    assert len(questions) >= 60
    ids = [q["id"] for q in questions]
    assert len(ids) == len(set(ids))
    for q in questions:
        assert set(q) >= {"id", "lang", "question", "relevant", "cross_lingual", "note"}, q
        assert q["lang"] in ("nl", "en")
        assert isinstance(q["question"], str) and q["question"].strip()
        assert isinstance(q["cross_lingual"], bool)
        assert isinstance(q["relevant"], list) and len(q["relevant"]) >= 1, q["id"]
        assert len(set(q["relevant"])) == len(q["relevant"]), q["id"]
    langs = Counter(q["lang"] for q in questions)
    assert langs["nl"] == langs["en"], langs


def test_question_language_matches_label(questions: list[dict[str, Any]]) -> None:
    wrong = [q["id"] for q in questions if guess_lang(q["question"]) != q["lang"]]
    # the stopword heuristic is rough on keyword-style questions; allow a few misses
    assert len(wrong) <= len(questions) // 10, wrong


def test_relevant_kvks_exist(questions: list[dict[str, Any]], registry: pd.DataFrame,
                             seed_kvks: set[str]) -> None:
    known = set(registry["kvk_number"]) | seed_kvks
    missing = {(q["id"], k) for q in questions for k in q["relevant"] if k not in known}
    assert not missing, sorted(missing)


def test_cross_lingual_flags(questions: list[dict[str, Any]], registry: pd.DataFrame,
                             seed_kvks: set[str]) -> None:
    lang_of = {str(k): guess_lang(str(d))
               for k, d in zip(registry["kvk_number"], registry["description"], strict=True)}
    flagged = [q for q in questions if q["cross_lingual"]]
    assert len(flagged) >= 10
    assert {q["lang"] for q in flagged} == {"nl", "en"}
    for q in flagged:
        assert not set(q["relevant"]) & seed_kvks, q["id"]
        assert all(lang_of[k] != q["lang"] for k in q["relevant"]), q["id"]


def test_distractors_never_relevant(questions: list[dict[str, Any]],
                                    registry: pd.DataFrame) -> None:
    used = {k for q in questions for k in q["relevant"]}
    never = set(registry["kvk_number"]) - used
    assert len(never) >= 40, len(never)


def test_seed_companies_are_targeted(questions: list[dict[str, Any]], seed_kvks: set[str]) -> None:
    used = {k for q in questions for k in q["relevant"]}
    assert len(used & seed_kvks) >= 6
