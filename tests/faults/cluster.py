"""A private, throwaway PostgreSQL cluster for the fault tests, which stop and restart it.

Never the machine's shared server: other test runs use that one at the same time. It is
built from Debian's binaries in a temporary folder on a free port. initdb refuses to run
as root (CI runs as root), so then every command runs as the `postgres` user, in a folder
that user owns. Failing to start is an error, never a skip: these tests must run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.web.live_server import free_port

SUPERUSER = "root"


def _bin_dir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if not found:
        raise RuntimeError(
            "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin: "
            "the fault tests need them (apt-get install postgresql)"
        )
    return found[-1].parent


class PrivateCluster:
    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.data = root / "data"
        self.port = port
        self.bin = _bin_dir()
        self._as_postgres = os.geteuid() == 0

    @property
    def url(self) -> str:
        """The server, as a URL to its `postgres` database (for creating databases)."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({result.returncode}): {result.stderr[-2000:]}")

    def init(self) -> None:
        # Trust on loopback only; a superuser named like the shared server's, so URLs
        # look the same; --no-sync: a throwaway cluster needs no fsync at creation.
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
            "-c max_connections=100 -c shared_buffers=32MB"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        """`fast`: a clean shutdown that ends every session; `immediate`: like a crash."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def log_tail(self) -> str:
        path = self.root / "server.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


@contextmanager
def private_cluster() -> Iterator[PrivateCluster]:
    root = Path(tempfile.mkdtemp(prefix="followup-pg-"))
    try:
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        cluster = PrivateCluster(root, free_port())
        cluster.init()
        cluster.start()
        try:
            yield cluster
        finally:
            # Already down if a test stopped it and failed before starting it again.
            with contextlib.suppress(RuntimeError):
                cluster.stop("immediate")
    finally:
        shutil.rmtree(root, ignore_errors=True)
