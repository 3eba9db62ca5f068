"""A throwaway PostgreSQL cluster for tests and benchmarks: a real server, nothing installed.

`Cluster.start()` runs Debian's `initdb` and `pg_ctl` (found under
/usr/lib/postgresql/*/bin, newest version first, or BWVDISCLOSE_PG_BIN) in a new
temporary folder, listening on a Unix socket in that folder and on 127.0.0.1 at a free
port; `stop()` stops the server and removes the folder. Nothing is left running.

initdb and the server refuse to run as root, and CI runs as root: then the cluster runs
as the `postgres` system user that Debian's package creates (or, failing that, a system
user `bwvdisclose-pg` made here), and its folder is handed to that user. The tests
still connect as the cluster's superuser through the socket; the server trusts local
connections, which is fine for a throwaway cluster on loopback and a private socket.

fsync is off (unless `durable=True`, as the benchmarks run it): this cluster holds test
data only. Never configure a real store like this.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

SUPERUSER = "postgres"
FALLBACK_USER = "bwvdisclose-pg"


def pg_bin() -> Path:
    """The folder holding initdb and pg_ctl: BWVDISCLOSE_PG_BIN, else the newest Debian one."""
    if os.environ.get("BWVDISCLOSE_PG_BIN"):
        return Path(os.environ["BWVDISCLOSE_PG_BIN"])
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")

    def version(path: str) -> tuple[int, ...]:
        return tuple(int(p) for p in re.findall(r"\d+", Path(path).parent.parent.name))

    if found:
        return Path(max(found, key=version)).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise RuntimeError(
        "PostgreSQL's initdb was not found (looked in /usr/lib/postgresql/*/bin and PATH): "
        "run `make sysdeps`, or set BWVDISCLOSE_PG_BIN to the folder holding initdb"
    )


def _server_user() -> tuple[int, int] | None:
    """(uid, gid) to run the server as when we are root; None to run as ourselves."""
    if os.geteuid() != 0:
        return None
    for name in (SUPERUSER, FALLBACK_USER):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return entry.pw_uid, entry.pw_gid
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", FALLBACK_USER],
        check=True,
        capture_output=True,
    )
    entry = pwd.getpwnam(FALLBACK_USER)
    return entry.pw_uid, entry.pw_gid


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """One throwaway server. Use as a context manager, or start() and stop()."""

    def __init__(self, *, max_connections: int = 120, durable: bool = False) -> None:
        self.bin = pg_bin()
        self.owner = _server_user()
        self.max_connections = max_connections
        self.durable = durable  # fsync on, as a real server runs (benchmarks)
        self.folder: Path | None = None
        self.port = 0

    # --- paths and addresses ----------------------------------------------------------

    @property
    def data(self) -> Path:
        assert self.folder is not None, "the cluster is not started"
        return self.folder / "data"

    @property
    def socket_dir(self) -> Path:
        assert self.folder is not None, "the cluster is not started"
        return self.folder

    def url(self, dbname: str = "postgres", user: str = SUPERUSER, *, tcp: bool = False) -> str:
        """A libpq URL for `dbname` as `user`, on the Unix socket (or 127.0.0.1 with tcp)."""
        if tcp:
            return f"postgresql://{user}@127.0.0.1:{self.port}/{dbname}"
        return f"postgresql://{user}@/{dbname}?host={self.socket_dir}&port={self.port}"

    # --- running ------------------------------------------------------------------------

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        kwargs: dict[str, Any] = {}
        if self.owner:
            kwargs.update(user=self.owner[0], group=self.owner[1], extra_groups=[])
        env = {**os.environ, "HOME": str(self.folder), "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
        env.pop("PGDATA", None)
        return subprocess.run(
            list(args),
            cwd=self.folder,
            env=env,
            capture_output=True,
            text=True,
            check=check,
            timeout=120,
            **kwargs,
        )

    def start(self) -> Cluster:
        # as root, under /tmp: the server's user must reach the folder (TMPDIR may be private)
        where = "/tmp" if self.owner and os.path.isdir("/tmp") else None
        self.folder = Path(tempfile.mkdtemp(prefix="bwv-pg-", dir=where))
        atexit.register(self.stop)
        if self.owner:
            os.chown(self.folder, *self.owner)
        self._run(
            str(self.bin / "initdb"),
            "--pgdata",
            str(self.data),
            "--username",
            SUPERUSER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--locale",
            "C.UTF-8",
            "--no-sync",
        )
        for attempt in range(5):
            self.port = free_port()
            try:
                self.pg_ctl_start()
                return self
            except subprocess.CalledProcessError as exc:
                if attempt == 4 or "could not bind" not in self.log():
                    raise RuntimeError(f"the test cluster did not start:\n{self.log()}") from exc
        return self

    def pg_ctl_start(self) -> None:
        options = " ".join(
            [
                "-c listen_addresses=127.0.0.1",
                f"-c port={self.port}",
                f"-c unix_socket_directories={self.socket_dir}",
                f"-c max_connections={self.max_connections}",
                *([] if self.durable else ["-c fsync=off", "-c full_page_writes=off"]),
                "-c shared_buffers=32MB" if not self.durable else "-c shared_buffers=128MB",
                "-c log_min_messages=warning",
                "-c log_min_error_statement=panic",
            ]
        )
        log = self.folder / "server.log"  # type: ignore[operator]
        self._run(str(self.bin / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(self.data),
                  "-l", str(log), "-o", options)  # fmt: skip

    def stop_server(self, mode: str = "fast") -> None:
        """Stop the server (mode fast, or immediate for a crash) but keep its data."""
        self._run(str(self.bin / "pg_ctl"), "stop", "-w", "-t", "60", "-m", mode,
                  "-D", str(self.data), check=False)  # fmt: skip

    def restart(self, mode: str = "fast") -> None:
        self.stop_server(mode)
        self.pg_ctl_start()

    def running(self) -> bool:
        if self.folder is None or not self.data.exists():
            return False
        done = self._run(str(self.bin / "pg_ctl"), "status", "-D", str(self.data), check=False)
        return done.returncode == 0

    def log(self) -> str:
        path = (self.folder or Path("/nonexistent")) / "server.log"
        try:
            return path.read_text(errors="replace")[-4000:]
        except OSError:
            return "(no server log)"

    def stop(self) -> None:
        """Stop the server and remove the cluster's folder. Safe to call twice."""
        if self.folder is None:
            return
        with contextlib.suppress(Exception):
            if self.running():
                self.stop_server("fast")
                deadline = time.monotonic() + 10
                while self.running() and time.monotonic() < deadline:
                    time.sleep(0.1)
                if self.running():
                    self.stop_server("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None
        atexit.unregister(self.stop)

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- databases ----------------------------------------------------------------------

    def create_database(self, name: str, template: str = "template1") -> str:
        """A new database (a copy of `template`); returns the superuser's URL for it."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            # names we made, never user input; FILE_COPY is the quick way for small ones
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
        return self.url(name)
