"""A real PostgreSQL for the team-server tests: Debian's ``postgresql`` package, started in a temp dir.

``initdb`` refuses to run as root, so as root the server runs as the ``postgres`` user (``runuser``);
as any other user it runs as that user. It listens on 127.0.0.1 at a free port (password
authentication, as a deployment would) and on a unix socket inside the temp dir, never the system's.
``conftest.py`` wraps it as the ``postgres_server`` / ``postgres_url`` / ``database_url`` fixtures.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

PASSWORD_BYTES = 12


def pg_bin(name: str) -> str:
    """The newest installed PostgreSQL's program ``name`` (Debian keeps them off the PATH)."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[4]))
    if found:
        return found[-1]
    on_path = shutil.which(name)
    if on_path:
        return on_path
    raise RuntimeError(f"PostgreSQL's {name} is not installed: apt-get install postgresql (scripts/test does)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """One throwaway cluster; ``url(database)`` is how a client reaches it, ``dump(database)`` runs pg_dump."""

    def __init__(self) -> None:
        self.as_root = os.geteuid() == 0
        self.user = "postgres" if self.as_root else pwd.getpwuid(os.geteuid()).pw_name
        self.password = secrets.token_urlsafe(PASSWORD_BYTES)
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="cwm-postgres-"))
        self.data = self.root / "data"
        self.sockets = self.root / "sockets"
        self.log = self.root / "server.log"

    def _run(self, *argv: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
        command = ["runuser", "-u", self.user, "--", *argv] if self.as_root else list(argv)
        return subprocess.run(command, check=check, capture_output=True, text=True, cwd=self.root, **kwargs)

    def start(self) -> PostgresServer:
        self.sockets.mkdir()
        password_file = self.root / "password"
        password_file.write_text(self.password + "\n")
        if self.as_root:
            uid, gid = pwd.getpwnam("postgres").pw_uid, pwd.getpwnam("postgres").pw_gid
            for path in (self.root, self.sockets, password_file):
                os.chown(path, uid, gid)
        self._run(
            pg_bin("initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            f"--pwfile={password_file}",
            "--auth-host=scram-sha-256",
            "--auth-local=trust",
            "--encoding=UTF8",
            "--locale=C",
        )
        password_file.unlink()
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._run(pg_bin("pg_ctl"), "start", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.log), "-o", options)
        return self

    def stop(self) -> None:
        if self.data.exists():
            self._run(pg_bin("pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(self.data), check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres:{quote(self.password, safe='')}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new empty database; its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def dump(self, database: str) -> str:
        """``pg_dump`` of ``database`` as an operator would take it (plain SQL, data included)."""
        env = {**os.environ, "PGPASSWORD": self.password}
        done = self._run(
            pg_bin("pg_dump"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", database, env=env
        )
        return done.stdout
