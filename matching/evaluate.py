"""`paraat eval`: MRR, nDCG@10 and Recall@5 per language for every signal and the hybrid,
and per kind of supply (company questions in questions.jsonl; sites, facilities,
institutions and programmes in supply_questions.jsonl, whose `relevant` are node ids).

A labelled set is a JSONL file of questions (`id, lang, question, relevant[]`) and a registry
CSV of the companies they are judged against; the seed companies are always indexed too
(app/evaluation.py fills the graph). All four rankings come from one retrieval per question,
so the gain of each signal shows.
"""

from __future__ import annotations

import itertools
import json
import logging
import statistics
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import ValidationError
from core.settings import MatchSettings
from matching import ltr
from matching.hubs import forget
from matching.ltr import Model, Query, signal_features
from matching.matcher import Matcher
from matching.metrics import mrr_ndcg_recall
from matching.models import Mode

log = logging.getLogger(__name__)

#: dense is the encoder alone (as before issue 22), dense_hub the same less the hub penalty:
#: the hub reduction's effect with its same-run baseline
MODES: tuple[Mode, ...] = ("hybrid", "dense", "dense_hub", "lexical", "graph")
EVAL_DIR = Path(__file__).with_name("eval")
#: The labelled questions for supply beyond companies (issue 19), read beside questions.jsonl.
SUPPLY_QUESTIONS = EVAL_DIR / "supply_questions.jsonl"
KINDS = ("company", "site", "facility", "institution", "programme")


@dataclass
class Question:
    id: str
    lang: str
    question: str
    relevant: set[str]
    cross_lingual: bool = False
    kind: str = "company"  # the kind of supply the question asks for


def _key(relevant: str) -> str:
    """"site:rundedal" -> "rundedal", "company:99000001" -> "99000001": the matcher ranks
    node keys (a company's KvK number, any other supply's id); a bare key stays."""
    kind, sep, key = relevant.partition(":")
    return key if sep and kind in KINDS else relevant


def load_questions(path: Path) -> list[Question]:
    out = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise ValidationError(f"Cannot read {path}: {e}") from e
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            kind = str(d.get("kind") or "company")
            if kind not in KINDS:
                raise ValueError(f"kind {kind!r} is none of {', '.join(KINDS)}")
            out.append(Question(str(d["id"]), str(d.get("lang", "nl")), str(d["question"]),
                                {_key(str(x)) for x in d["relevant"]},
                                bool(d.get("cross_lingual", False)), kind))
        except (ValueError, KeyError, TypeError) as e:
            raise ValidationError(f"{path}, line {n}: not a question object ({e})") from e
    if not out:
        raise ValidationError(f"{path} holds no questions.")
    return out


@dataclass
class Retrieved:
    question: Question
    comps: dict[str, dict[str, float]]
    concepts: list[str]
    kinds: dict[str, str] = field(default_factory=dict)  # a candidate's kind; absent = company
    # matching.ltr.signal_features: graph evidence per candidate, the question's own features
    extra: dict[str, dict[str, float]] = field(default_factory=dict)
    qfeatures: dict[str, float] = field(default_factory=dict)


def retrieve_all(matcher: Matcher, questions: Iterable[Question],
                 progress: Callable[[int], None] | None = None,
                 bank_folds: int = 0) -> list[Retrieved]:
    """One retrieval per question. With `bank_folds` (and the hub penalty on), the questions
    are dealt into that many folds like `folds_of` (the cross-validation's), and each fold is
    retrieved with the others' questions stored as the bank of past questions
    (matching/hubs.py): no question is ever in its own bank, as in production, where only
    earlier questions are. Only on `paraat eval`'s throw-away graph."""
    qs = list(questions)
    if bank_folds < 2 or matcher.s.hub_penalty <= 0 or matcher.s.hub_bank_questions <= 0:
        return _retrieve(matcher, qs, progress)
    parts = _deal([q.lang for q in qs], bank_folds)
    vectors = matcher.encoder.encode_queries([q.question for q in qs])
    got: dict[int, Retrieved] = {}
    try:
        for part in parts:
            held = set(part)
            matcher.repo.replace_bank_questions([
                {"id": f"eval-bank-{i}", "question": q.question, "lang": q.lang,
                 "embedding": vectors[i].astype(float).tolist()}
                for i, q in enumerate(qs) if i not in held])
            forget(matcher.driver)
            got |= dict(zip(part, _retrieve(matcher, [qs[i] for i in part], progress),
                            strict=True))
    finally:
        matcher.repo.replace_bank_questions([])
        forget(matcher.driver)
    return [got[i] for i in range(len(qs))]


def _retrieve(matcher: Matcher, questions: Iterable[Question],
              progress: Callable[[int], None] | None = None) -> list[Retrieved]:
    out = []
    for q in questions:
        sig = matcher.signals(q.question)
        raw_all, dense_all = matcher.cosines_for_pool(sig)
        extra, qfeatures = signal_features(sig)
        out.append(Retrieved(q, matcher.component_scores(sig, dense_all, raw_all),
                             [c.id for c in sig.concepts], dict(sig.kinds), extra, qfeatures))
        if progress:
            progress(1)
    return out


def _metrics(rows: list[tuple[float, float, float]]) -> dict[str, float]:
    if not rows:
        return {"n": 0}
    return {"n": len(rows),
            "mrr": round(statistics.fmean(r[0] for r in rows), 4),
            "ndcg@10": round(statistics.fmean(r[1] for r in rows), 4),
            "recall@5": round(statistics.fmean(r[2] for r in rows), 4)}


def _groups(q: Question) -> list[str]:
    """The report rows a question counts in: all, its language, cross-lingual, its kind,
    the company questions per language and the non-company questions together."""
    out = ["all", q.lang]
    if q.cross_lingual:
        out.append("cross_lingual")
    out.append(f"kind.{q.kind}")
    if q.kind == "company":
        out.append(f"company.{q.lang}")
    else:
        out += ["non_company", f"non_company.{q.lang}"]
    return out


def _empty_groups(retrieved: list[Retrieved]) -> dict[str, list[tuple[float, float, float]]]:
    per: dict[str, list[tuple[float, float, float]]] = {"all": [], "nl": [], "en": [],
                                                        "cross_lingual": []}
    if any(r.question.kind != "company" for r in retrieved):
        per |= {"company.nl": [], "company.en": [], "non_company": []}
    return per


def score(matcher: Matcher, retrieved: list[Retrieved], mode: Mode,
          weights: tuple[float, float, float] | None = None) -> dict[str, Any]:
    per = _empty_groups(retrieved)
    for r in retrieved:
        ranked = [k for k, _ in matcher.fuse(r.comps, mode, weights)][:10]
        m = mrr_ndcg_recall(ranked, r.question.relevant)
        for g in _groups(r.question):
            per.setdefault(g, []).append(m)
    return {k: _metrics(v) for k, v in per.items()}


def tune(matcher: Matcher, retrieved: list[Retrieved], step: float = 0.05,
         min_weight: float = 0.05) -> tuple[tuple[float, float, float], dict[str, Any]]:
    """Grid search over the simplex of (dense, lexical, graph) weights.

    The objective is the worst of the per-language MRRs plus Recall@5, so a weight set that
    helps one language by hurting the other is not chosen. Every signal keeps at least
    `min_weight`: an explanation shows each signal's evidence, which is only faithful if the
    signal counts in the score."""
    best: tuple[float, tuple[float, float, float], dict[str, Any]] | None = None
    n = round(1 / step)
    lo = round(min_weight / step)
    for i, j in itertools.product(range(lo, n + 1), repeat=2):
        if i + j > n - lo:
            continue
        w = (i * step, j * step, (n - i - j) * step)
        res = score(matcher, retrieved, "hybrid", w)
        obj = min(res["nl"]["mrr"], res["en"]["mrr"]) + 0.5 * min(
            res["nl"]["recall@5"], res["en"]["recall@5"])
        if best is None or obj > best[0] + 1e-9:
            best = (obj, w, res)
    assert best is not None
    return best[1], best[2]


def folds_of(retrieved: list[Retrieved], folds: int) -> list[list[int]]:
    """Question indexes split into `folds` parts, each language dealt round-robin so every
    fold holds as many Dutch as English questions (deterministic: no seed to cherry-pick)."""
    return _deal([r.question.lang for r in retrieved], folds)


def _deal(langs: list[str], folds: int) -> list[list[int]]:
    out: list[list[int]] = [[] for _ in range(folds)]
    for lang in sorted(set(langs)):
        idx = [i for i, lg in enumerate(langs) if lg == lang]
        for n, i in enumerate(idx):
            out[n % folds].append(i)
    return [sorted(f) for f in out]


def cross_validate(matcher: Matcher, retrieved: list[Retrieved], folds: int = 2
                   ) -> dict[str, Any]:
    """An honest estimate of tuned fusion on unseen questions: tune the weights on all folds
    but one, score the hybrid on the held-out fold, and pool the held-out questions."""
    if folds < 2 or len(retrieved) < folds:
        raise ValueError("cross-validation needs at least two folds with questions")
    per = _empty_groups(retrieved)
    chosen = []
    for part in folds_of(retrieved, folds):
        held = set(part)
        w, _ = tune(matcher, [r for i, r in enumerate(retrieved) if i not in held])
        chosen.append({"dense": w[0], "lexical": w[1], "graph": w[2]})
        for i in part:
            r = retrieved[i]
            ranked = [k for k, _ in matcher.fuse(r.comps, "hybrid", w)][:10]
            m = mrr_ndcg_recall(ranked, r.question.relevant)
            for g in _groups(r.question):
                per.setdefault(g, []).append(m)
    return {"folds": folds, "weights_per_fold": chosen,
            "held_out": {k: _metrics(v) for k, v in per.items()}}


LTR_SEEDS = (0, 1, 2)


def as_query(r: Retrieved) -> Query:
    """What matching/ltr.py ranks of one retrieval: no id, no words of the question."""
    return Query(r.comps, r.question.relevant, r.kinds, r.extra, r.qfeatures, r.question.lang)


def _ltr_rows(model: Model, retrieved: list[Retrieved], idx: Iterable[int],
              per: dict[str, list[tuple[float, float, float]]]) -> None:
    for i in idx:
        r = retrieved[i]
        m = mrr_ndcg_recall(model.rank(as_query(r))[:10], r.question.relevant)
        for g in _groups(r.question):
            per.setdefault(g, []).append(m)


def _over_seeds(runs: list[dict[str, dict[str, float]]]) -> dict[str, Any]:
    """Per group and metric: the mean and the standard deviation over seeds."""
    out: dict[str, Any] = {}
    for g in runs[0]:
        if not runs[0][g].get("n"):
            continue
        out[g] = {"n": runs[0][g]["n"]}
        for m in ("mrr", "ndcg@10", "recall@5"):
            vals = [r[g][m] for r in runs]
            out[g][m] = round(statistics.fmean(vals), 4)
            out[g][f"{m}_sd"] = round(statistics.pstdev(vals), 4)
    return out


def ltr_cross_validate(retrieved: list[Retrieved],
                       weights_per_fold: list[tuple[float, float, float]], folds: int = 2,
                       seeds: Iterable[int] = LTR_SEEDS) -> dict[str, Any]:
    """The learnt fusion out of fold, on `cross_validate`'s folds: per fold a model trained on
    the other folds' questions (with the weights the weighted sum tuned on them as its
    `wsum` feature) ranks the held-out fold; per seed the held-out questions are pooled."""
    parts = folds_of(retrieved, folds)
    runs, importance = [], []
    for seed in seeds:
        per = _empty_groups(retrieved)
        for part, w in zip(parts, weights_per_fold, strict=True):
            held = set(part)
            model = ltr.train([as_query(r) for i, r in enumerate(retrieved) if i not in held],
                              w, seed=seed)
            _ltr_rows(model, retrieved, part, per)
            importance.append(model.importance())
        runs.append({k: _metrics(v) for k, v in per.items()})
    return {"folds": folds, "seeds": list(seeds), "held_out": _over_seeds(runs),
            "per_seed": runs, "importance": _mean_importance(importance)}


def ltr_transfer(train_on: list[Retrieved], retrieved: list[Retrieved],
                 weights: tuple[float, float, float], seeds: Iterable[int] = LTR_SEEDS
                 ) -> dict[str, Any]:
    """The learnt fusion trained on all of `train_on` (the default set), scored on
    `retrieved` (another set: none of its questions is trained on)."""
    runs, importance = [], []
    for seed in seeds:
        model = ltr.train([as_query(r) for r in train_on], weights, seed=seed)
        per = _empty_groups(retrieved)
        _ltr_rows(model, retrieved, range(len(retrieved)), per)
        runs.append({k: _metrics(v) for k, v in per.items()})
        importance.append(model.importance())
    return {"trained_on": len(train_on), "seeds": list(seeds), "scores": _over_seeds(runs),
            "per_seed": runs, "importance": _mean_importance(importance)}


def _mean_importance(imps: list[dict[str, float]], top: int = 12) -> dict[str, float]:
    total: Counter[str] = Counter()
    for imp in imps:
        total.update(imp)
    return {k: round(v / len(imps), 4) for k, v in total.most_common(top)} if imps else {}


def evaluate(matcher: Matcher, questions: list[Question],
             progress: Callable[[int], None] | None = None,
             do_tune: bool = False, bank_folds: int = 2, ltr_eval: bool = False,
             ltr_train: list[Question] | None = None) -> dict[str, Any]:
    """The report. `ltr_eval` adds the learnt fusion (matching/ltr.py): out of fold beside
    the weighted sum's held-out rows (it implies `do_tune`), or, with `ltr_train`, trained on
    those questions (retrieved in the same graph) and scored on `questions`."""
    retrieved = retrieve_all(matcher, questions, progress, bank_folds)
    do_tune = do_tune or (ltr_eval and ltr_train is None)
    report: dict[str, Any] = {
        "questions": len(questions),
        "languages": {lg: sum(q.lang == lg for q in questions) for lg in ("nl", "en")},
        "kinds": {k: n for k in KINDS if (n := sum(q.kind == k for q in questions))},
        "encoder": matcher.encoder.name,
        "weights": {"dense": matcher.s.w_dense, "lexical": matcher.s.w_lexical,
                    "graph": matcher.s.w_graph},
        "modes": {m: score(matcher, retrieved, m) for m in MODES},
        "hub_penalty": {"weight": matcher.s.hub_penalty, "k": matcher.s.hub_k,
                        "one_sided": matcher.s.hub_one_sided,
                        "bank": "capability concepts" + (
                            f" + the other {bank_folds - 1} fold(s)' questions"
                            if bank_folds >= 2 and matcher.s.hub_bank_questions > 0 else "")},
    }
    if do_tune:
        w, res = tune(matcher, retrieved)
        report["tuned"] = {"weights": {"dense": w[0], "lexical": w[1], "graph": w[2]},
                           "scores": res}
        report["cross_validated"] = cross_validate(matcher, retrieved)
        if ltr_eval and ltr_train is None:
            wf = [(w["dense"], w["lexical"], w["graph"])
                  for w in report["cross_validated"]["weights_per_fold"]]
            report["ltr"] = ltr_cross_validate(retrieved, wf)
    if ltr_eval and ltr_train is not None:
        train_on = retrieve_all(matcher, ltr_train, None, bank_folds)
        report["ltr_transfer"] = ltr_transfer(
            train_on, retrieved, (matcher.s.w_dense, matcher.s.w_lexical, matcher.s.w_graph))
    report["hubness"] = {m: hubness(matcher, retrieved, m) for m in MODES}
    report["failures"] = _failures(matcher, retrieved)
    return report


def hubness(matcher: Matcher, retrieved: list[Retrieved], mode: Mode, top: int = 3
            ) -> dict[str, Any]:
    """How often the same irrelevant results crowd the top `top` (issue 22): per node that
    is irrelevant to a question yet in its top `top`, the number of such questions; the max
    and the mean over those nodes, and the worst hub. A node that fills many questions' top 3
    without answering them (a generic company, a broad programme) is a hub: its text or
    vector is near everything, and it costs every question it lands in."""
    counts: Counter[str] = Counter()
    kinds: dict[str, str] = {}
    for r in retrieved:
        ranked = [k for k, _ in matcher.fuse(r.comps, mode)][:top]
        for k in ranked:
            if k not in r.question.relevant:
                counts[k] += 1
                kinds[k] = r.kinds.get(k, "company")
    if not counts:
        return {"max": 0, "mean": 0.0, "nodes": 0, "worst": None}
    worst, n = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return {"max": n, "mean": round(statistics.fmean(counts.values()), 3),
            "nodes": len(counts), "questions": len(retrieved),
            "worst": {"key": worst, "kind": kinds[worst], "count": n}}


def _failures(matcher: Matcher, retrieved: list[Retrieved], limit: int = 30
              ) -> list[dict[str, Any]]:
    """Questions whose first relevant hit is not at rank 1, for a person to look at."""
    out = []
    for r in retrieved:
        ranked = [k for k, _ in matcher.fuse(r.comps, "hybrid")]
        first = next((i for i, k in enumerate(ranked, 1) if k in r.question.relevant), None)
        if first != 1:
            out.append({"id": r.question.id, "lang": r.question.lang, "kind": r.question.kind,
                        "question": r.question.question, "first_relevant_rank": first,
                        "top3": ranked[:3], "relevant": sorted(r.question.relevant),
                        "concepts": r.concepts})
    return out[:limit]


def default_settings() -> MatchSettings:
    return MatchSettings()
