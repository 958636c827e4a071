"""Embeddings kept on disk between runs: keyed by model and text, in immutable shards."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from matching.encoders.base import Encoder, check_texts, progress_bar
from matching.encoders.composite import CompositeEncoder

logger = logging.getLogger(__name__)


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
    items = check_texts(texts)
    hashes = [text_hash(t, encoder.name) for t in items]
    known = {
        k: v for k, v in cache.get_many(set(hashes)).items() if v.shape == (encoder.dimension,)
    }
    todo: dict[str, str] = {}
    for key, text in zip(hashes, items, strict=True):
        if key not in known:
            todo.setdefault(key, text)
    pending = list(todo.items())
    with progress_bar(len(pending), progress and len(pending) > batch_size, "embedding") as bar:
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
