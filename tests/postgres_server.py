"""A throwaway PostgreSQL server for the PostgreSQL test tier.

If ``BDR_DESK_TEST_POSTGRES_URL`` is set (``make test`` / ``.ci/run`` start a server and set it) that server
is used. Otherwise the test session tries to start one itself from the Debian binaries in
``/usr/lib/postgresql/*/bin`` in a temporary folder (as the ``postgres`` user when running as root).
Returns ``None`` with a reason when that is impossible; under ``CI=true`` that is an error, not a skip.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    def __init__(self) -> None:
        self.url: str | None = None
        self.reason = ""
        self._dir: Path | None = None
        self._bin: Path | None = None
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = list(args)
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60)

    def start(self) -> str | None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins and shutil.which("initdb"):
            bins = [shutil.which("initdb")]
        if not bins:
            self.reason = "no PostgreSQL server binaries (apt-get install postgresql) and no BDR_DESK_TEST_POSTGRES_URL"
            return None
        self._bin = Path(bins[-1]).parent
        self._dir = Path(tempfile.mkdtemp(prefix="bdr-pg-"))
        if self._as_postgres:
            shutil.chown(self._dir, "postgres")
        port = _free_port()
        r = self._run(str(self._bin / "initdb"), "-D", f"{self._dir}/data", "-A", "trust", "-U", "postgres")
        if r.returncode != 0:
            self.reason = f"initdb failed: {r.stderr.strip()[-200:]}"
            return None
        opts = f"-p {port} -k {self._dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        r = self._run(str(self._bin / "pg_ctl"), "-D", f"{self._dir}/data", "-l", f"{self._dir}/log",
                      "-o", opts, "-w", "start")
        if r.returncode != 0:
            self.reason = f"pg_ctl start failed: {r.stderr.strip()[-200:]}"
            return None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        return self.url

    def stop(self) -> None:
        if self._dir and self._bin and self.url:
            self._run(str(self._bin / "pg_ctl"), "-D", f"{self._dir}/data", "-m", "immediate", "stop")
        if self._dir:
            shutil.rmtree(self._dir, ignore_errors=True)
