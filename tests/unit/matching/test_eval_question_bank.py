"""`paraat eval` with the hub penalty: each fold is retrieved with the other folds' questions as
the bank of past questions, never its own (matching.evaluate.retrieve_all, issue 22)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from core.settings import MatchSettings
from matching.evaluate import Question, folds_of, retrieve_all
from matching.models import Signals


class _Driver:  # the penalties are kept per driver (weakly)
    pass


class _Fake:
    def __init__(self, penalty: float) -> None:
        self.s = MatchSettings(hub_penalty=penalty)
        self.driver = _Driver()
        self.encoder = SimpleNamespace(
            encode_queries=lambda texts: np.ones((len(texts), 4), dtype=np.float32))
        self.bank: list[str] = []
        self.seen: dict[str, list[str]] = {}
        self.repo = SimpleNamespace(replace_bank_questions=self._replace)

    def _replace(self, rows: list[dict[str, Any]]) -> None:
        self.bank = [r["question"] for r in rows]

    def signals(self, question: str) -> Any:
        self.seen[question] = list(self.bank)
        return Signals(question, "nl", [], [], np.zeros(4), {}, {}, {})

    def cosines_for_pool(self, sig: Any) -> tuple[dict[str, float], dict[str, float]]:
        return {}, {}

    def component_scores(self, sig: Any, dense: dict[str, float],
                         raw: dict[str, float] | None = None) -> dict[str, Any]:
        return {}


def _questions() -> list[Question]:
    return [Question(f"q{i}", "nl" if i % 3 else "en", f"vraag {i}", {"x"}) for i in range(9)]


def test_no_question_is_in_its_own_bank_and_each_fold_has_the_others() -> None:
    qs = _questions()
    fake: Any = _Fake(0.5)
    out = retrieve_all(fake, qs, bank_folds=2)
    assert [r.question.id for r in out] == [q.id for q in qs]  # the order kept
    folds = folds_of(out, 2)
    for part in folds:
        others = sorted(qs[i].question for i in range(len(qs)) if i not in part)
        for i in part:
            assert sorted(fake.seen[qs[i].question]) == others
    assert fake.bank == []  # removed afterwards


def test_without_the_penalty_no_bank_is_written() -> None:
    fake: Any = _Fake(0.0)
    retrieve_all(fake, _questions(), bank_folds=2)
    assert set(map(len, fake.seen.values())) == {0}
