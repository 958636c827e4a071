"""The managed local Neo4j Community server.

Paraat resolves the Neo4j jars from Maven Central once (a pinned pom kept in this package),
then runs `org.neo4j.server.CommunityEntryPoint` in its own JVM on loopback. Each *home*
folder is one independent server (config, data, logs, password, pid), so several can run side
by side on different ports.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from neo4j import Driver, GraphDatabase
from neo4j import exceptions as neo4j_exc

from graph.errors import (
    DataDirError,
    JavaNotFoundError,
    MavenError,
    Neo4jAuthError,
    Neo4jServerError,
    PortInUseError,
    ServerStartTimeout,
)
from graph.queries import admin as admin_q

log = logging.getLogger(__name__)

#: The version neo4j/pom.xml pins (its jars land in neo4j_lib_dir()).
NEO4J_VERSION = "5.26.30"
MAIN_CLASS = "org.neo4j.server.CommunityEntryPoint"
MIN_JAVA = 17
STATE_FILE = "paraat-server.json"
PASSWORD_FILE = "password"

# Neo4j's own launcher passes these (its default neo4j.conf `server.jvm.additional`);
# without the --add-opens flags Java 17 refuses Neo4j's reflective access.
JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=262144",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dfile.encoding=UTF-8",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
]


# --------------------------------------------------------------------------- install


def pom_path() -> Path:
    return Path(str(resources.files("graph") / "neo4j" / "pom.xml"))


def _pom_digest() -> str:
    return hashlib.sha256(pom_path().read_bytes()).hexdigest()[:16]


def neo4j_lib_dir(cache_dir: Path) -> Path:
    """Where the jars of this version live under the cache folder (CACHE_DIR)."""
    return cache_dir / f"neo4j-{NEO4J_VERSION}" / "lib"


def jars_installed(lib_dir: Path) -> bool:
    stamp = lib_dir / ".paraat-stamp"
    return stamp.exists() and stamp.read_text().strip() == _pom_digest()


def install_jars(lib_dir: Path, *, quiet: bool = True, java_home: Path | None = None) -> Path:
    """Copy Neo4j's jars into `lib_dir` with Maven, once (a stamp records the pom's hash)."""
    if jars_installed(lib_dir):
        return lib_dir
    mvn = shutil.which("mvn")
    if mvn is None:
        raise MavenError(
            "Maven (mvn) not found on PATH: install it (apt-get install maven) to fetch Neo4j "
            f"{NEO4J_VERSION} from Maven Central."
        )
    check_java(java_home)
    tmp = lib_dir.with_name(lib_dir.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    cmd = [mvn, "-B", "-f", str(pom_path()), "dependency:copy-dependencies",
           f"-DoutputDirectory={tmp}", "-DincludeScope=runtime"]
    if quiet:
        cmd.insert(1, "-q")
    log.info("resolving Neo4j %s jars with Maven into %s", NEO4J_VERSION, lib_dir)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if "ERROR" in ln]
        detail = lines[0] if lines else (proc.stdout + proc.stderr).strip()[-300:]
        shutil.rmtree(tmp, ignore_errors=True)
        raise MavenError(f"Maven could not resolve Neo4j {NEO4J_VERSION}: {detail}")
    (tmp / ".paraat-stamp").write_text(_pom_digest())
    shutil.rmtree(lib_dir, ignore_errors=True)
    tmp.rename(lib_dir)
    return lib_dir


# --------------------------------------------------------------------------- java


def find_java(java_home: Path | None = None) -> str:
    """`java_home`/bin/java (the JAVA_HOME setting) when it exists, else java on PATH."""
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise JavaNotFoundError(
            f"Java not found: Neo4j {NEO4J_VERSION} needs Java {MIN_JAVA} or newer "
            "(apt-get install openjdk-17-jre-headless, or set JAVA_HOME)."
        )
    return java


def java_major_version(java: str) -> int:
    proc = subprocess.run([java, "-version"], capture_output=True, text=True)
    m = re.search(r'version "(\d+)(?:\.(\d+))?', proc.stderr + proc.stdout)
    if not m:
        raise JavaNotFoundError(f"Could not read the Java version from {java}.")
    major = int(m.group(1))
    return int(m.group(2)) if major == 1 and m.group(2) else major


def check_java(java_home: Path | None = None) -> str:
    java = find_java(java_home)
    major = java_major_version(java)
    if major < MIN_JAVA:
        raise JavaNotFoundError(
            f"Java {major} is too old: Neo4j {NEO4J_VERSION} needs Java {MIN_JAVA} or newer "
            f"(found {java})."
        )
    return java


# --------------------------------------------------------------------------- helpers


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child counts as dead.
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return False
    return True


def tail(path: Path, lines: int = 15) -> str:
    if not path.exists():
        return "(no log)"
    text = path.read_text(errors="replace").splitlines()
    return "\n".join(text[-lines:])


@dataclass
class ServerStatus:
    running: bool
    uri: str
    pid: int | None = None
    version: str | None = None
    edition: str | None = None
    http_url: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


# --------------------------------------------------------------------------- server


class ManagedNeo4j:
    """One Neo4j home: `start()`, `stop()`, `status()`; safe to call repeatedly."""

    def __init__(
        self,
        home: Path,
        lib_dir: Path,
        *,
        bolt_port: int = 7687,
        http_port: int = 0,
        heap: str = "1g",
        pagecache: str = "512m",
        password: str | None = None,
        user: str = "neo4j",
        java_home: Path | None = None,
    ) -> None:
        self.home = Path(home).resolve()
        self.lib_dir = Path(lib_dir)
        self.bolt_port = bolt_port
        self.http_port = http_port
        self.heap = heap
        self.pagecache = pagecache
        self._password = password
        self.user = user
        self.java_home = java_home

    # paths ----------------------------------------------------------------
    @property
    def conf_dir(self) -> Path:
        return self.home / "conf"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def console_log(self) -> Path:
        return self.logs_dir / "console.log"

    @property
    def state_path(self) -> Path:
        return self.home / STATE_FILE

    @property
    def password_path(self) -> Path:
        return self.home / PASSWORD_FILE

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    def configured_ports(self) -> tuple[int, int] | None:
        """Bolt and HTTP ports from this home's last config, so a restart keeps its URI."""
        conf = self.conf_dir / "neo4j.conf"
        if not conf.exists():
            return None
        text = conf.read_text()
        bolt = re.search(r"^server\.bolt\.listen_address=.*:(\d+)$", text, re.M)
        http = re.search(r"^server\.http\.listen_address=.*:(\d+)$", text, re.M)
        if not bolt:
            return None
        return int(bolt.group(1)), int(http.group(1)) if http else 0

    # state ----------------------------------------------------------------
    def _read_state(self) -> dict[str, Any] | None:
        try:
            return dict(json.loads(self.state_path.read_text()))
        except (OSError, ValueError):
            return None

    def adopt_running(self) -> dict[str, Any] | None:
        """Use the ports of a server already running from this home."""
        state = self._read_state()
        if state and _pid_alive(int(state["pid"])):
            self.bolt_port = int(state["bolt_port"])
            self.http_port = int(state.get("http_port") or 0)
            return state
        return None

    @property
    def password(self) -> str:
        if self._password:
            return self._password
        if self.password_path.exists():
            return self.password_path.read_text().strip()
        raise Neo4jServerError(
            f"No password for the Neo4j in {self.home}: start it once with `paraat neo4j start` "
            "or set NEO4J_PASSWORD."
        )

    def _ensure_password(self) -> str:
        if self._password:
            return self._password
        if self.password_path.exists():
            return self.password_path.read_text().strip()
        pw = secrets.token_urlsafe(24)
        fd = os.open(self.password_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(pw + "\n")
        return pw

    # config ---------------------------------------------------------------
    def write_config(self) -> None:
        lines = [
            "# Written by Paraat (graph/server.py); edits are overwritten on start.",
            "server.default_listen_address=127.0.0.1",
            "server.default_advertised_address=127.0.0.1",
            f"server.bolt.listen_address=127.0.0.1:{self.bolt_port}",
            f"server.bolt.advertised_address=127.0.0.1:{self.bolt_port}",
            "server.https.enabled=false",
            f"server.http.enabled={'true' if self.http_port else 'false'}",
            f"server.directories.data={self.data_dir}",
            f"server.directories.logs={self.logs_dir}",
            f"server.directories.import={self.home / 'import'}",
            f"server.directories.plugins={self.home / 'plugins'}",
            f"server.directories.run={self.home / 'run'}",
            f"server.directories.transaction.logs.root={self.data_dir / 'transactions'}",
            "dbms.security.auth_enabled=true",
            "dbms.usage_report.enabled=false",
            f"server.memory.heap.initial_size={self.heap}",
            f"server.memory.heap.max_size={self.heap}",
            f"server.memory.pagecache.size={self.pagecache}",
            "db.tx_log.rotation.retention_policy=2 files",
            "dbms.security.procedures.unrestricted=",
            # Bolt waits 5 s + 5 s for idle connections and its thread pool on shutdown, after
            # every transaction has already closed; 1 s each cuts a stop (and the downtime of
            # `paraat backup`) from ~11 s to ~3 s. Internal settings of the pinned 5.26.
            "internal.server.bolt.connection_shutdown_wait_time=1s",
            "internal.server.bolt.thread_pool_shutdown_wait_time=1s",
        ]
        if self.http_port:
            lines += [
                f"server.http.listen_address=127.0.0.1:{self.http_port}",
                f"server.http.advertised_address=127.0.0.1:{self.http_port}",
            ]
        (self.conf_dir / "neo4j.conf").write_text("\n".join(lines) + "\n")

    def _check_writable(self) -> None:
        """Fail before Java starts, in one line, if data or logs cannot be written (read-only
        mount, full disk, no permission): Neo4j itself would only say so deep in its log."""
        why = {errno.ENOSPC: "the disk is full", errno.EROFS: "it is read-only",
               errno.EACCES: "permission denied", errno.EPERM: "permission denied",
               errno.EDQUOT: "the disk quota is used up"}
        for d in (self.home, self.conf_dir, self.data_dir, self.logs_dir, self.home / "run",
                  self.home / "import", self.home / "plugins"):
            try:
                d.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise DataDirError(f"Cannot create the Neo4j folder {d}: "
                                   f"{why.get(e.errno or 0, e.strerror)}.") from e
        for what, d in (("data", self.data_dir), ("logs", self.logs_dir), ("home", self.home)):
            probe = d / ".paraat-write-probe"
            try:
                with open(probe, "wb") as f:
                    f.write(b"\0" * 65536)
                    f.flush()
                    os.fsync(f.fileno())
                probe.unlink()
            except OSError as e:
                with contextlib.suppress(OSError):
                    probe.unlink()
                raise DataDirError(
                    f"Neo4j {what} folder {d} is not writable: "
                    f"{why.get(e.errno or 0, e.strerror)}."
                ) from e

    def java_command(self, java: str) -> list[str]:
        return [
            java,
            f"-Xms{self.heap}",
            f"-Xmx{self.heap}",
            *JVM_FLAGS,
            "-cp",
            f"{self.lib_dir}/*",
            MAIN_CLASS,
            f"--home-dir={self.home}",
            f"--config-dir={self.conf_dir}",
        ]

    # lifecycle -------------------------------------------------------------
    def is_running(self) -> bool:
        state = self._read_state()
        return bool(state and _pid_alive(int(state["pid"])))

    def start(self, timeout: float = 180.0) -> str:
        """Start the server (or find it running) and return its Bolt URI once Bolt answers."""
        if self.adopt_running():
            self._wait_for_bolt(timeout, proc=None)
            return self.uri
        java = check_java(self.java_home)
        if not jars_installed(self.lib_dir):
            raise MavenError(
                f"Neo4j {NEO4J_VERSION} jars are not installed in {self.lib_dir}: "
                "run `make setup` (or `paraat neo4j install`)."
            )
        for port, what, option, env in (
                (self.bolt_port, "Bolt", "--bolt-port", "PARAAT_NEO4J_BOLT_PORT"),
                (self.http_port, "HTTP", "--http-port", "PARAAT_NEO4J_HTTP_PORT")):
            if port and not port_free(port):
                raise PortInUseError(
                    f"Port {port} on 127.0.0.1 ({what}) is already in use: stop what runs "
                    f"there or choose another with {option} / {env}"
                    + (" (0 switches HTTP off)." if what == "HTTP" else ".")
                )
        self._check_writable()
        password = self._ensure_password()
        first_start = not (self.data_dir / "databases").exists()
        self.write_config()
        log.info("starting Neo4j %s in %s on %s", NEO4J_VERSION, self.home, self.uri)
        with open(self.console_log, "ab") as out:
            proc = subprocess.Popen(
                self.java_command(java),
                cwd=self.home,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.state_path.write_text(json.dumps({
            "pid": proc.pid, "bolt_port": self.bolt_port, "http_port": self.http_port,
            "started_at": time.time(), "version": NEO4J_VERSION,
        }))
        try:
            if first_start:
                self._wait_for_bolt(timeout, proc=proc, auth=(self.user, "neo4j"),
                                    initial=password)
            self._wait_for_bolt(timeout, proc=proc)
        except BaseException:
            self._terminate(proc.pid, grace=20)
            self.state_path.unlink(missing_ok=True)
            raise
        return self.uri

    def _connect(self, auth: tuple[str, str]) -> Driver:
        return GraphDatabase.driver(self.uri, auth=auth, connection_timeout=3,
                                    max_connection_lifetime=60,
                                    notifications_min_severity="OFF")

    def _wait_for_bolt(self, timeout: float, *, proc: subprocess.Popen[bytes] | None,
                       auth: tuple[str, str] | None = None, initial: str | None = None) -> None:
        deadline = time.monotonic() + timeout
        auth = auth or (self.user, self.password)
        last: Exception | None = None
        while time.monotonic() < deadline:
            if proc is not None and proc.poll() is not None:
                raise Neo4jServerError(
                    f"Neo4j exited during start (code {proc.returncode}). Last log lines:\n"
                    + self.log_tail()
                )
            try:
                with self._connect(auth) as driver:
                    if initial is not None:
                        # A fresh server only accepts a password change from neo4j/neo4j.
                        with driver.session(database="system") as session:
                            session.run(admin_q.CHANGE_INITIAL_PASSWORD,
                                        old="neo4j", new=initial).consume()
                    else:
                        driver.verify_connectivity()
                return
            except neo4j_exc.AuthError as e:
                if initial is None:
                    raise Neo4jAuthError(
                        f"Neo4j at {self.uri} refused the password for user {auth[0]!r} "
                        f"(kept in {self.password_path} or NEO4J_PASSWORD)."
                    ) from e
                raise Neo4jAuthError(
                    f"Neo4j in {self.home} already has a password that Paraat does not know: "
                    f"put it in {self.password_path} or NEO4J_PASSWORD."
                ) from e
            except (neo4j_exc.ServiceUnavailable, neo4j_exc.SessionExpired, OSError) as e:
                last = e
                time.sleep(0.5)
        raise ServerStartTimeout(
            f"Neo4j did not answer on {self.uri} within {timeout:.0f} s ({last}). "
            "Last log lines:\n" + self.log_tail()
        )

    def log_tail(self, lines: int = 15) -> str:
        neo = self.logs_dir / "neo4j.log"
        parts = [tail(self.console_log, lines)]
        if neo.exists():
            parts.append(tail(neo, lines))
        return "\n".join(parts)

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop cleanly (SIGTERM lets Neo4j checkpoint); returns False if it was not running."""
        state = self._read_state()
        if not state or not _pid_alive(int(state["pid"])):
            self.state_path.unlink(missing_ok=True)
            return False
        self._terminate(int(state["pid"]), grace=timeout)
        self.state_path.unlink(missing_ok=True)
        return True

    @staticmethod
    def _terminate(pid: int, grace: float) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            if not _pid_alive(pid):
                return
            time.sleep(0.2)
        log.warning("Neo4j (pid %s) did not stop within %.0f s; killing it", pid, grace)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)

    def kill(self) -> None:
        """SIGKILL, for fault-injection tests: no checkpoint, like a power cut."""
        state = self._read_state()
        if state:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(state["pid"]), signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(int(state["pid"]), 0)
            self.state_path.unlink(missing_ok=True)

    def status(self) -> ServerStatus:
        state = self.adopt_running()
        http = f"http://127.0.0.1:{self.http_port}/browser/" if self.http_port else None
        if not state:
            return ServerStatus(running=False, uri=self.uri)
        version = edition = None
        with self._connect((self.user, self.password)) as driver:
            version, edition = server_components(driver)
        return ServerStatus(True, self.uri, int(state["pid"]), version, edition, http)

    @contextlib.contextmanager
    def driver(self) -> Iterator[Driver]:
        with self._connect((self.user, self.password)) as d:
            yield d


def server_components(driver: Driver) -> tuple[str, str]:
    """Version and edition as the server itself reports them."""
    try:
        records, _, _ = driver.execute_query(admin_q.DBMS_COMPONENTS, routing_="r")
    except neo4j_exc.AuthError as e:
        raise Neo4jAuthError(f"Neo4j refused the credentials: {e.message}") from e
    rec = records[0]
    return str(rec["version"]), str(rec["edition"])
