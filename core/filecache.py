"""Files that Paraat derives once and reuses across processes: where they live, how a large
input is keyed without reading it on every start, and how a cached object is written and read.

Every cold `paraat` command pays for what it rebuilds, so model conversions, compiled models,
parsed tokenizers and the parsed taxonomy are kept under the cache folder (the CACHE_DIR
setting, which each caller is given), each under a key that changes with its inputs (and the
code that builds it), so a stale entry is never used. Here in core because ontology and
matching both use it and neither may import the other's layer.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import threading
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def _identity(st: os.stat_result) -> list[int]:
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def file_digest(path: Path, index_dir: Path) -> str:
    """SHA-256 of a file, read in full only when the file is new or changed; what is
    remembered lives in `index_dir`.

    The digest is remembered with the file's identity: device, inode, size, mtime and ctime
    (nanoseconds). Replacing the file (a reinstall) gives a new inode; writing it in place
    changes mtime and ctime, and ctime cannot be set back by any user (touch -d sets mtime
    only), so the remembered digest is used only for the very same, unchanged file. Hashing
    the 71 MB e5 model took ~0.1-0.2 s of every cold start; a stat takes microseconds.
    """
    resolved = path.resolve()
    entry = index_dir / (hashlib.sha256(str(resolved).encode("utf-8", "surrogatepass"))
                         .hexdigest()[:24] + ".json")
    before = _identity(resolved.stat())
    try:
        known = json.loads(entry.read_text(encoding="utf-8"))
        if known["path"] == str(resolved) and known["identity"] == before:
            return str(known["sha256"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    with open(resolved, "rb") as fh:
        digest = hashlib.file_digest(fh, "sha256").hexdigest()
    if _identity(resolved.stat()) == before:  # not changed while it was read
        try:
            write_atomic(entry, json.dumps({"path": str(resolved), "identity": before,
                                            "sha256": digest}).encode())
        except OSError as exc:  # costs time on the next start, not correctness
            log.debug("cannot remember the digest of %s: %s", resolved, exc)
    return digest


def write_atomic(path: Path, data: bytes | memoryview) -> None:
    """Write under a temporary name and rename, so a reader sees the whole file or none;
    private (0600), like everything in the cache."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_pickle(path: Path, obj: Any) -> bool:
    """Cache `obj` at `path`; False (and a debug line) when the cache folder is not writable."""
    try:
        write_atomic(path, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
        return True
    except OSError as exc:
        log.debug("cannot write the cache file %s: %s", path, exc)
        return False


def read_pickle(path: Path) -> Any | None:
    """The object cached at `path`, or None when there is none or it cannot be trusted.

    Unpickling runs code, so only a file that this user owns and nobody else may write is
    read: one that another account could have written is ignored (and rebuilt over).
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if (hasattr(os, "getuid") and st.st_uid != os.getuid()) or st.st_mode & 0o022:
            log.warning("ignoring cache file %s: not owned by this user or writable by others",
                        path)
            return None
        try:
            return pickle.load(fh)
        except Exception as exc:  # a truncated or outdated entry is rebuilt, never fatal
            log.warning("ignoring unreadable cache file %s: %s", path, exc)
            return None
