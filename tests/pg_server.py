"""A throw-away PostgreSQL + PostGIS server for the tests: Debian's binaries, a cluster in a temporary
folder, a unix socket there and a loopback TCP port (for password logins), stopped and deleted after.

``make test`` installs the packages (``make postgis``); without them the PostGIS tests are skipped
with the command to run. initdb refuses to run as root, so as root the server runs as the
``postgres`` system user that Debian's package creates.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

PASSWORD = "s3cret-test"  # the loopback logins of role "analyst"; the socket trusts local users


def find_bindir() -> Path | None:
    for cand in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True):
        if Path(cand, "initdb").exists() and glob.glob(str(Path(cand).parent / "lib" / "postgis*.so")):
            return Path(cand)
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.dir = Path(tempfile.mkdtemp(prefix="coterm-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def run(self, *args, check=True, **kw):
        return subprocess.run([*self.as_user, *map(str, args)], check=check, capture_output=True, text=True, timeout=120, **kw)

    def start(self) -> "Server":
        self.run(self.bindir / "initdb", "-D", self.data, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256",
                 "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")  # a throw-away cluster: no fsync of its files
        opts = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.dir} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=32MB")
        self.run(self.bindir / "pg_ctl", "-D", self.data, "-o", opts, "-l", self.dir / "log", "-w", "-t", "60", "start")
        return self

    def psql(self, sql: str, db: str = "postgres") -> str:
        out = self.run(self.bindir / "psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", self.dir, "-p", self.port,
                       "-U", "postgres", "-d", db, "-c", sql)
        return out.stdout.strip()

    def url(self, db: str = "coterm", user: str = "postgres", **query) -> str:
        """A socket reference (no password needed)."""
        q = "&".join([f"host={self.dir}", f"port={self.port}", *(f"{k}={v}" for k, v in query.items())])
        return f"postgresql://{user}@/{db}?{q}"

    def tcp_url(self, db: str = "coterm", user: str = "analyst", password: str | None = PASSWORD, **query) -> str:
        auth = f"{user}:{password}" if password is not None else user
        q = "&".join(f"{k}={v}" for k, v in query.items())
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{db}" + (f"?{q}" if q else "")

    def stop(self) -> None:
        try:
            self.run(self.bindir / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check=False)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
