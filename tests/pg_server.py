"""A throw-away PostgreSQL + PostGIS server for the tests: Debian's binaries, a cluster in a temporary
folder, a unix socket there and a loopback TCP port (for password logins), stopped and deleted after.

``make test`` installs the packages (``make postgis``); without them the PostGIS tests are skipped
with the command to run. initdb refuses to run as root, so as root the server runs as the
``postgres`` system user that Debian's package creates.

One server serves the whole test session (:func:`shared_server`): the first xdist worker to need it starts
it and fills a template database; each worker then works in its own copy of that database, and the
session's end (the xdist controller, or the only process) stops the server (:func:`stop_shared`).
"""

from __future__ import annotations

import glob
import json
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
    def __init__(self, bindir: Path, dir: Path | None = None, port: int | None = None):
        self.bindir = bindir
        self.dir = dir or Path(tempfile.mkdtemp(prefix="coterm-pg-"))
        self.data = self.dir / "data"
        self.port = port or free_port()
        self.db = "coterm"  # the database url(), tcp_url() and psql(db=None) name
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

    def psql(self, sql: str, db: str | None = "postgres") -> str:
        db = db or self.db
        out = self.run(self.bindir / "psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", self.dir, "-p", self.port,
                       "-U", "postgres", "-d", db, "-c", sql)
        return out.stdout.strip()

    def url(self, db: str | None = None, user: str = "postgres", **query) -> str:
        """A socket reference (no password needed)."""
        db = db or self.db
        q = "&".join([f"host={self.dir}", f"port={self.port}", *(f"{k}={v}" for k, v in query.items())])
        return f"postgresql://{user}@/{db}?{q}"

    def tcp_url(self, db: str | None = None, user: str = "analyst", password: str | None = PASSWORD, **query) -> str:
        db = db or self.db
        auth = f"{user}:{password}" if password is not None else user
        q = "&".join(f"{k}={v}" for k, v in query.items())
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{db}" + (f"?{q}" if q else "")

    def stop(self) -> None:
        try:
            self.run(self.bindir / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check=False)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


_RECORD = "shared-postgres.json"  # under the session's shared folder: where the running server is


def shared_server(root: Path, bindir: Path, prepare, template: str) -> Server:
    """The session's server, started (and ``prepare(server)`` run on a new database ``template``) by the first
    process to ask; later callers, in any xdist worker, get the same server. ``root``: the session's shared folder."""
    from shared_once import locked

    record = root / _RECORD
    with locked(root / "shared-postgres.lock"):
        if record.exists():
            d = json.loads(record.read_text())
            return Server(Path(d["bindir"]), Path(d["dir"]), d["port"])
        server = Server(bindir).start()
        try:
            server.db = template
            server.psql(f"CREATE DATABASE {template}")
            prepare(server)
        except BaseException:
            server.stop()
            raise
        record.write_text(json.dumps({"bindir": str(bindir), "dir": str(server.dir), "port": server.port}))
        return server


def database_copy(server: Server, root: Path, template: str, name: str) -> None:
    """A new database ``name`` copied from ``template`` (its tables, extension, schemas and grants)."""
    from shared_once import locked

    with locked(root / "shared-postgres.lock"):  # a template may be copied by one session at a time
        server.psql(f"CREATE DATABASE {name} TEMPLATE {template}")
    server.db = name


def stop_shared(root: Path) -> None:
    """Stop and delete the session's server, if one was started (at the end of the session, after every worker)."""
    record = root / _RECORD
    if record.exists():
        d = json.loads(record.read_text())
        Server(Path(d["bindir"]), Path(d["dir"]), d["port"]).stop()
        record.unlink()
