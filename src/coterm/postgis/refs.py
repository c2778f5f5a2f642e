"""Database references (``postgresql://…?table=…``): parsing, redacting passwords, connecting.

The drivers are imported only when a connection is made (``pip install coterminosity[postgis]``).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlencode, urlsplit, urlunsplit

from ..errors import DataFileError, OutputError

_SCHEMES = ("postgresql://", "postgres://")
_OWN_KEYS = ("table", "sql", "schema", "geometry", "vintage")
OUTPUT_TABLES = ("units", "pairs", "slivers", "summary", "sensitivity")
_MARK = "written by coterm"  # table comment: the tables we may replace


class DatabaseError(DataFileError):
    """A database reference that cannot be read: server, credentials, table, geometry column, SRID, query."""


class DatabaseOutputError(OutputError):
    """A database destination that cannot be written (read-only, no privilege, a table that is not ours)."""


def is_database_ref(text) -> bool:
    """Whether ``text`` is a ``postgresql://`` (or ``postgres://``) reference rather than a file or catalogue id."""
    return isinstance(text, str) and text.lower().startswith(_SCHEMES)


@dataclass(frozen=True)
class DbRef:
    """A parsed reference: the libpq URI (coterm's keys removed) and what to read or where to write."""

    conninfo: str
    shown: str  # the reference as given, password removed
    table: str | None = None
    sql: str | None = None
    schema: str | None = None
    geometry: str | None = None
    vintage: str | None = None  # the boundaries' year: geometry mode picks its LSOA population base by it

    @property
    def what(self) -> str:
        return f"table {self.table}" if self.table else "query" if self.sql else f"schema {self.schema}"


def redact(text: str) -> str:
    """The reference without its password (in the user part or a ``password=`` key)."""
    parts = urlsplit(text)
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        if ":" in user:
            user = user.split(":", 1)[0] + ":***"
        netloc = f"{user}@{host}"
    query = "&".join(("password=***" if k.lower() == "password" else f"{k}={v}") for k, v in _pairs(parts.query))
    return urlunsplit((parts.scheme, netloc, parts.path, query if parts.query else "", ""))


def _pairs(query: str):
    return [(k, v) for k, v in (p.split("=", 1) if "=" in p else (p, "") for p in query.split("&") if p)]


def parse_ref(text: str) -> DbRef:
    """Split a reference into libpq's connection URI and coterm's keys (``table``, ``sql``, ``schema``, ``geometry``)."""
    shown = redact(text)
    parts = urlsplit(text)
    own, rest = {}, []
    for k, v in ((unquote(k), unquote(v)) for k, v in _pairs(parts.query)):  # as libpq: '+' is a plus, not a space
        if k in _OWN_KEYS:
            if k in own:
                raise DatabaseError(f"{shown}: the key {k}= is given twice; give it once")
            own[k] = v.strip()
        else:
            rest.append((k, v))
    if own.get("table") is not None and own.get("sql") is not None:
        raise DatabaseError(f"{shown}: give either ?table= or ?sql=, not both")
    if own.get("vintage") is not None and not re.fullmatch(r"(19|20)\d\d", own["vintage"]):
        raise DatabaseError(f"{shown}: vintage= is the boundaries' year, e.g. &vintage=2024, not {own['vintage']!r}")
    for k in _OWN_KEYS:
        if k in own and not own[k]:
            raise DatabaseError(f"{shown}: the key {k}= is empty; e.g. ?table=boundaries.ltla")
    conninfo = urlunsplit(("postgresql", parts.netloc, parts.path, urlencode(rest, quote_via=quote), ""))
    return DbRef(conninfo=conninfo, shown=shown, **{k: own.get(k) for k in _OWN_KEYS})


# --- connecting ----------------------------------------------------------------------------------


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's error
    text = str(orig).strip()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    # libpq prefixes 'connection to server at "..." failed:'; keep the reason
    line = lines[0] if lines else type(orig).__name__
    return re.sub(r'^connection to server (at|on) .*? failed: ', "", line)[:300]


def _connect_error(ref: DbRef, exc: BaseException) -> DatabaseError:
    msg = _first_line(exc)
    low = msg.lower()
    if "password authentication failed" in low or "no password supplied" in low or "password" in low and "auth" in low:
        return DatabaseError(f"{ref.shown}: the server refused the password ({msg}); "
                             "check the password in the URL, PGPASSWORD or ~/.pgpass")
    if "database" in low and "does not exist" in low:
        return DatabaseError(f"{ref.shown}: {msg}; check the database name in the URL")
    if "role" in low and "does not exist" in low:
        return DatabaseError(f"{ref.shown}: {msg}; check the user name in the URL or PGUSER")
    if "no pg_hba.conf entry" in low:
        return DatabaseError(f"{ref.shown}: the server does not accept this connection ({msg}); ask its administrator")
    return DatabaseError(f"{ref.shown}: cannot reach the PostgreSQL server ({msg}); check host, port and that it is running")


def _drivers(ref: DbRef, error=None):
    """(psycopg, sqlalchemy), or one line saying which extra to install."""
    try:
        import geoalchemy2  # to_postgis needs it: only its presence is checked here
        import psycopg
        import sqlalchemy
        import sqlalchemy.exc

        del geoalchemy2
    except ImportError as exc:
        raise (error or DatabaseError)(f"{ref.shown}: PostGIS needs the database drivers ({exc.name} is missing): "
                                       "pip install 'coterm[postgis]'") from None
    return psycopg, sqlalchemy


def _engine(ref: DbRef):
    psycopg, sqlalchemy = _drivers(ref)

    def connect():
        return psycopg.connect(ref.conninfo, connect_timeout=10)

    return sqlalchemy.create_engine("postgresql+psycopg://", creator=connect, poolclass=sqlalchemy.pool.NullPool)


@contextlib.contextmanager
def _connection(ref: DbRef, *, error=DatabaseError):
    psycopg, sqlalchemy = _drivers(ref, error)
    engine = _engine(ref)
    try:
        conn = engine.connect()
    except (sqlalchemy.exc.DBAPIError, psycopg.Error) as exc:
        raise error(str(_connect_error(ref, exc))) from None
    try:
        yield conn
    finally:
        conn.close()
        engine.dispose()


# --- reading -------------------------------------------------------------------------------------


def _split_name(ref: DbRef) -> tuple[str | None, str]:
    text = ref.table
    if text.startswith('"'):
        m = re.fullmatch(r'"((?:[^"]|"")+)"(?:\."((?:[^"]|"")+)")?', text)
        if not m:
            raise DatabaseError(f'{ref.shown}: cannot read the table name {text!r}; write it as schema.name or "Schema"."Name"')
        a, b = (g.replace('""', '"') if g else g for g in m.groups())
        return (a, b) if b else (None, a)
    if text.count(".") > 1:
        raise DatabaseError(f"{ref.shown}: the table name {text!r} has more than one dot; write it as schema.name")
    schema, _, name = text.rpartition(".")
    return (schema or None), name


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table_sql(conn, ref: DbRef) -> str:
    from sqlalchemy import text

    schema, name = _split_name(ref)
    if schema is not None:
        ok = conn.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}).first()
        if not ok:
            schemas = [r[0] for r in conn.execute(text(
                "SELECT nspname FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema' ORDER BY 1"))]
            raise DatabaseError(f"{ref.shown}: the schema {schema!r} does not exist (schemas: {', '.join(schemas)}); check ?table=")
    qualified = (_quote_ident(schema) + "." if schema else "") + _quote_ident(name)
    found = conn.execute(text("SELECT to_regclass(:q)"), {"q": qualified}).scalar()
    if found is None:
        listed = conn.execute(text(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') "
            + ("AND table_schema = :s " if schema else "") + "ORDER BY 1 LIMIT 12"), {"s": schema} if schema else {}).scalars().all()
        where = f"in schema {schema!r}" if schema else "on the search path"
        raise DatabaseError(f"{ref.shown}: no table or view {name!r} {where} (tables: {', '.join(listed) or 'none'}); check ?table=")
    return f"SELECT * FROM {qualified}"


def _raw(conn):
    return conn.connection.driver_connection


def _geometry_column(conn, ref: DbRef, sql: str) -> str:
    """The one geometry column of the result (by type, so views and queries work too)."""
    from sqlalchemy import text

    oid = conn.execute(text("SELECT to_regtype('geometry')::oid")).scalar()
    if oid is None:
        raise DatabaseError(f"{ref.shown}: the database has no PostGIS (type geometry is unknown); run CREATE EXTENSION postgis")
    with _raw(conn).cursor() as cur:  # the user's SQL goes to the server as written: no placeholders
        cur.execute(f"SELECT * FROM ({sql}) AS coterm_q LIMIT 0")
        cols = [(d.name, d.type_code) for d in cur.description]
    geoms = [n for n, t in cols if t == oid]
    names = ", ".join(n for n, _ in cols)
    if ref.geometry is not None:
        if ref.geometry not in geoms:
            raise DatabaseError(f"{ref.shown}: {ref.geometry!r} is not a geometry column of the {ref.what} (geometry columns: "
                                f"{', '.join(geoms) or 'none'})")
        return ref.geometry
    if not geoms:
        raise DatabaseError(f"{ref.shown}: the {ref.what} has no geometry column (columns: {names}); "
                            "a geography column needs ?sql=SELECT ..., geog::geometry AS geom ...")
    if len(geoms) > 1:
        raise DatabaseError(f"{ref.shown}: the {ref.what} has several geometry columns ({', '.join(geoms)}); "
                            f"choose one with &geometry={geoms[0]}")
    return geoms[0]


def _crs_of(conn, ref: DbRef, srids, given_crs):
    from sqlalchemy import text

    srids = sorted(set(int(s) for s in srids))
    if given_crs is not None and set(srids) <= {0}:
        return given_crs  # like a file's --crs: only for geometries that declare none
    if len(srids) > 1:
        raise DatabaseError(f"{ref.shown}: the geometries have several SRIDs ({', '.join(map(str, srids))}); "
                            "transform them to one with ?sql=SELECT ..., ST_Transform(geom, 27700) AS geom ...")
    srid = srids[0] if srids else 0
    if srid == 0:
        raise DatabaseError(f"{ref.shown}: the geometries have SRID 0 (no coordinate system); "
                            "set it in the database (UpdateGeometrySRID) or give --crs, e.g. --crs EPSG:27700")
    row = conn.execute(text("SELECT auth_name, auth_srid, srtext FROM spatial_ref_sys WHERE srid = :s"), {"s": srid}).first()
    if row is None:
        raise DatabaseError(f"{ref.shown}: SRID {srid} is not in the database's spatial_ref_sys; "
                            "use a known SRID (e.g. 27700) or give --crs")
    import pyproj

    for cand in (f"{row[0]}:{row[1]}" if row[0] else None, row[2]):
        if cand:
            with contextlib.suppress(pyproj.exceptions.CRSError):
                return pyproj.CRS.from_user_input(cand)
    raise DatabaseError(f"{ref.shown}: SRID {srid} has no definition pyproj can read; give --crs")


