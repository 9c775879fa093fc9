"""A throwaway PostgreSQL server for tests and benchmarks, started from the machine's own
server binaries (Debian's `postgresql` package) on 127.0.0.1 and a free port.

PostgreSQL refuses to run as root, so under root the server runs as the `postgres` system
user that Debian's package creates. Nothing is left behind: the data directory is removed
when the server stops.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from tests.ports import free_port

INSTALL_HINT = (
    "no PostgreSQL server binaries (pg_ctl, initdb) found: install Debian's postgresql "
    "package (apt-get install postgresql) to run the PostgreSQL tests"
)


def find_bindir() -> Path | None:
    """Where pg_ctl and initdb are: on PATH, or the newest /usr/lib/postgresql/N/bin."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(os.path.realpath(on_path)).parent
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda p: int(Path(p).parent.parent.name),
    )
    return Path(found[-1]).parent if found else None


@dataclass
class PostgresServer:
    bindir: Path
    directory: Path
    port: int
    user: str | None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    async def new_database(self, name: str) -> str:
        """Create an empty database; its URL."""
        conn = await asyncpg.connect(self.url())
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        return self.url(name)

    def _run(self, *args: str) -> None:
        subprocess.run(
            args, check=True, user=self.user, capture_output=True, stdin=subprocess.DEVNULL
        )

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.directory / "data"),
                      "-m", "immediate", "-w", "stop")  # fmt: skip
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


def start_server(durable: bool = False) -> PostgresServer:
    """Start a server; `durable=False` turns fsync off, which only matters on power loss and
    makes the test suite faster. Benchmarks keep the defaults."""
    bindir = find_bindir()
    if bindir is None:
        raise FileNotFoundError(INSTALL_HINT)
    user = "postgres" if os.geteuid() == 0 else None
    directory = Path(tempfile.mkdtemp(prefix="ptcc-pg-"))
    if user is not None:
        record = pwd.getpwnam(user)
        os.chown(directory, record.pw_uid, record.pw_gid)
    server = PostgresServer(bindir, directory, free_port(), user)
    data = str(directory / "data")
    settings = (
        f"-p {server.port} -k {directory} -c listen_addresses=127.0.0.1 -c max_connections=300"
    )
    if not durable:
        settings += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    try:
        server._run(str(bindir / "initdb"), "-D", data, "-U", "postgres", "--auth=trust",
                    "-E", "UTF8", "--no-sync")  # fmt: skip
        server._run(str(bindir / "pg_ctl"), "-D", data, "-l", str(directory / "log"),
                    "-o", settings, "-w", "-t", "60", "start")  # fmt: skip
    except subprocess.CalledProcessError as exc:
        log = directory / "log"
        detail = log.read_text()[-2000:] if log.exists() else exc.stderr.decode()[-2000:]
        shutil.rmtree(directory, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {detail}") from exc
    return server
