"""PostGIS in and out against a REAL server: Debian's PostgreSQL + PostGIS, a throw-away cluster started here.

Known truth: the catalogue's own layers loaded into PostGIS give exactly the catalogue ids' answer.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from pg_server import PASSWORD, database_copy, find_bindir, free_port, shared_server

COTERM = [sys.executable, "-m", "coterm"]
pytestmark = pytest.mark.postgis


def _police_id() -> str:
    import coterm

    ids = {e.id for e in coterm.list_layers("police")}
    return "pfa-2024" if "pfa-2024" in ids else "pfa-2020"


@pytest.fixture(scope="module")
def pg(tmp_path_factory):
    """The session's server (tests/pg_server.py), in a database of this module's own: a copy of the loaded template."""
    bindir = find_bindir()
    if bindir is None:
        msg = "PostgreSQL + PostGIS are not installed: run `make postgis` (Debian packages postgresql, postgis)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    pytest.importorskip("psycopg", reason="pip install 'coterm[postgis]'")
    from shared_once import session_root

    root = session_root(tmp_path_factory)
    server = shared_server(root, bindir, _prepare, TEMPLATE)
    # one database per worker (and per setup: worksteal may bring this module back to a worker after its teardown)
    name = f"coterm_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{next(_SETUPS)}"
    database_copy(server, root, TEMPLATE, name)
    try:
        server.psql(f"GRANT CREATE ON DATABASE {name} TO analyst")  # database privileges are not copied with it
        yield server
    finally:
        server.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


TEMPLATE = "coterm_template"
_SETUPS = itertools.count()


def _prepare(server):
    """Once per session: the roles (the cluster's) and the template database every test database is copied from."""
    server.psql(f"CREATE ROLE analyst LOGIN PASSWORD '{PASSWORD}'; CREATE ROLE reader LOGIN; "
                "ALTER ROLE reader SET default_transaction_read_only = on")
    server.psql("CREATE EXTENSION postgis; CREATE SCHEMA boundaries; GRANT USAGE ON SCHEMA boundaries TO analyst, reader;"
                "ALTER DEFAULT PRIVILEGES IN SCHEMA boundaries GRANT SELECT ON TABLES TO analyst, reader", db=None)
    _load_catalogue_layers(server)


def _load_catalogue_layers(server):
    import coterm
    from coterm.postgis.refs import _engine, parse_ref

    engine = _engine(parse_ref(server.url()))
    try:
        for lid, table in (("ltla-2024", "ltla"), (_police_id(), "pfa")):
            frame = coterm.load_layer(lid).frame.reset_index()  # code, name, geometry in EPSG:27700
            frame.to_postgis(table, engine, schema="boundaries", index=False)
    finally:
        engine.dispose()
    server.psql("""
        CREATE TABLE boundaries.no_geom AS SELECT code, name FROM boundaries.ltla;
        CREATE TABLE boundaries.two_geoms AS SELECT code, name, geometry, ST_Centroid(geometry) AS centre FROM boundaries.ltla;
        CREATE TABLE boundaries.srid0 AS SELECT code, name, ST_SetSRID(geometry, 0) AS geom FROM boundaries.ltla;
        CREATE TABLE boundaries.points AS SELECT code, name, ST_PointOnSurface(geometry) AS geom FROM boundaries.ltla;
        CREATE TABLE public.plain (x int);
    """, db=None)


def run_process(*args, env=None):
    return subprocess.run([*COTERM, *map(str, args)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "200", **(env or {})})


def run(*args, env=None):
    """``coterm ARGS`` through the CLI's main() in this process with its output captured at the file descriptors
    (tests/cli_inprocess.py); the password test keeps a real process."""
    from cli_inprocess import run_here as run_cli_here

    return run_cli_here(*args, env={"COLUMNS": "200", **(env or {})})


def run_here(capsys, *args):
    """The CLI's own main() in this process (same code path as the command, without a new interpreter per case)."""
    from coterm.cli.main import main

    capsys.readouterr()
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in args])
    out = capsys.readouterr()
    return subprocess.CompletedProcess(args, exc.value.code, out.out, out.err)


def _without_ids(d: dict) -> dict:
    return {k: v for k, v in d.items() if k not in ("a", "b", "a_title", "b_title")}


# --- the round trip --------------------------------------------------------------------------------


def test_compare_of_two_postgis_tables_gives_exactly_the_answer_of_the_catalogue_ids(pg):
    police = _police_id()
    # the tables carry no year: vintage=2024 gives the one the catalogue entries have (it picks the population base)
    db = run("compare", pg.url(table="boundaries.ltla", vintage="2024"), pg.url(table="boundaries.pfa", vintage=police[-4:]), "--json")
    assert db.returncode == 0, db.stderr
    cat = run("compare", "ltla-2024", police, "--mode", "geometry", "--json")
    assert cat.returncode == 0, cat.stderr
    got, want = json.loads(db.stdout), json.loads(cat.stdout)
    assert (got["a"], got["b"]) == ("boundaries.ltla", "boundaries.pfa")
    assert _without_ids(got) == _without_ids(want)
    assert got["a_to_b"]["units"] == 318 and got["a_to_b"]["nested"] > 300  # districts sit inside police areas


def test_by_area_the_postgis_tables_give_the_catalogue_answer_without_any_metadata(pg):
    db = run("compare", pg.url(table="boundaries.ltla"), pg.url(table="boundaries.pfa"), "--by", "area", "--json")
    cat = run("compare", "ltla-2024", _police_id(), "--mode", "geometry", "--by", "area", "--json")
    assert db.returncode == 0 and cat.returncode == 0, db.stderr + cat.stderr
    got, want = json.loads(db.stdout), json.loads(cat.stdout)

    def by_area(d):  # counts and area figures (people in split units still come from the vintage's LSOA points)
        return {k: ({w: v[w] for w in ("count", "area") if w in v} if isinstance(v, dict) else v)
                for k, v in d.items() if "people" not in k and "population" not in k}

    for key in ("a_to_b", "b_to_a"):
        assert by_area(got[key]) == by_area(want[key])
    assert got["indices"] == want["indices"] and got["slivers"]["area_km2"] == want["slivers"]["area_km2"]


def test_a_password_login_over_tcp_reads_the_same_layer_and_every_message_hides_the_password(pg):
    import coterm

    lay = coterm.load_layer(pg.tcp_url(table="boundaries.ltla"))
    assert len(lay) == 318 and lay.crs.to_epsg() == 27700
    assert lay.frame.loc["E06000001", "name"] == "Hartlepool"
    p = run_process("compare", pg.tcp_url(table="boundaries.nowhere"), "ltla-2024")
    assert p.returncode == 2 and PASSWORD not in p.stderr + p.stdout
    assert "analyst:***@127.0.0.1" in p.stderr


def test_credentials_come_from_pgpassword_or_the_pgpass_file(pg, tmp_path, monkeypatch):
    import coterm

    url = pg.tcp_url(password=None, table="boundaries.pfa")
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    assert len(coterm.load_layer(url)) >= 40
    monkeypatch.delenv("PGPASSWORD")
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"127.0.0.1:{pg.port}:{pg.db}:analyst:{PASSWORD}\n")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    assert len(coterm.load_layer(url)) >= 40


def test_a_query_reads_only_its_rows_with_the_code_and_name_columns_named_as_for_files(pg):
    import coterm

    sql = "SELECT code AS lad, name AS label, geometry AS shape FROM boundaries.ltla WHERE code LIKE 'E09%25' AND 1+1 = 2"
    lay = coterm.load_layer(pg.url(sql=sql), code="lad", name="label")
    assert len(lay) == 33  # the 32 London boroughs and the City
    assert lay.frame.loc["E09000001", "name"] == "City of London"


def test_srid_zero_is_accepted_when_the_crs_is_given_like_for_a_file(pg):
    import coterm

    lay = coterm.load_layer(pg.url(table="boundaries.srid0"), crs="EPSG:27700")
    assert len(lay) == 318 and lay.crs.to_epsg() == 27700


# --- one clear line for each bad input ----------------------------------------------------------------


@pytest.mark.parametrize("ref, expect", [
    (lambda s: f"postgresql://postgres@127.0.0.1:{free_port()}/coterm?table=boundaries.ltla", "cannot reach the PostgreSQL server"),
    (lambda s: s.tcp_url(password="wrong", table="boundaries.ltla"), "refused the password"),
    (lambda s: s.url(db="nodb", table="boundaries.ltla"), 'database "nodb" does not exist'),
    (lambda s: s.url(table="boundaries.nowhere"), "no table or view 'nowhere' in schema 'boundaries'"),
    (lambda s: s.url(table="nosuch.ltla"), "the schema 'nosuch' does not exist"),
    (lambda s: s.url(table="boundaries.no_geom"), "has no geometry column (columns: code, name)"),
    (lambda s: s.url(table="boundaries.two_geoms"), "several geometry columns (geometry, centre); choose one with &geometry="),
    (lambda s: s.url(table="boundaries.srid0"), "SRID 0 (no coordinate system)"),
    (lambda s: s.url(sql="SELECT code, name, ST_SetSRID(geometry, 990001) AS geom FROM boundaries.ltla"), "SRID 990001 is not in"),
    (lambda s: s.url(table="boundaries.points"), "318 unit(s) are not polygons (Point)"),
    (lambda s: s.url(sql="SELECT * FROM nowhere"), 'the query failed: relation "nowhere" does not exist'),
    (lambda s: s.url(table="public.plain"), "has no geometry column"),
], ids=["unreachable", "wrong-password", "no-database", "unknown-table", "unknown-schema", "no-geometry", "two-geometries",
        "srid-0", "unknown-srid", "points", "failing-query", "plain-table"])
def test_a_bad_database_reference_gets_one_clear_line_and_exit_status_2(pg, ref, expect, capsys):
    p = run_here(capsys, "compare", ref(pg), "ltla-2024")
    assert p.returncode == 2, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("coterm: error: postgresql://"), p.stderr
    assert expect in lines[0], lines[0]
    assert "Traceback" not in p.stderr and PASSWORD not in p.stderr and "wrong" not in lines[0].split(" ", 3)[2]


def test_a_second_geometry_column_can_be_chosen(pg):
    import coterm

    assert len(coterm.load_layer(pg.url(table="boundaries.two_geoms", geometry="geometry"))) == 318


# --- PostGIS as the destination -----------------------------------------------------------------------


def _rows(pg, sql):
    return pg.psql(sql, db=None)


def test_out_postgresql_writes_units_pairs_slivers_and_summary_tables_matching_the_files(pg, tmp_path):
    police = _police_id()
    p = run("compare", "ltla-2024", police, "--out", pg.tcp_url(schema="results"))
    assert p.returncode == 0, p.stderr
    assert PASSWORD not in p.stderr and "schema results" in p.stderr
    f = run("compare", "ltla-2024", police, "--out", tmp_path / "files")
    assert f.returncode == 0, f.stderr
    units = pd.read_csv(tmp_path / "files" / "units.csv", dtype=str)
    db = pg.psql("SELECT layer, code, class FROM results.units ORDER BY side, code", db=None).splitlines()
    assert db == [f"{lay}|{code}|{cls}" for lay, code, cls in zip(units["layer"], units["code"], units["class"])]
    assert _rows(pg, "SELECT count(*), min(ST_SRID(geometry)), max(ST_SRID(geometry)) FROM results.units") == f"{len(units)}|27700|27700"
    assert _rows(pg, "SELECT DISTINCT GeometryType(geometry) FROM results.units") == "MULTIPOLYGON"  # one type: QGIS lists it once
    assert _rows(pg, "SELECT summary -> 'a_to_b' ->> 'units' FROM results.summary") == "318"  # jsonb, queryable
    pairs = pd.read_csv(tmp_path / "files" / "pairs.csv")
    assert int(_rows(pg, "SELECT count(*) FROM results.pairs")) == len(pairs)
    assert int(_rows(pg, "SELECT count(*) FROM results.slivers")) == len(pd.read_csv(tmp_path / "files" / "slivers.csv"))
    summary = json.loads(_rows(pg, "SELECT summary FROM results.summary"))
    assert summary == json.loads((tmp_path / "files" / "summary.json").read_text())


def test_out_postgresql_is_all_or_nothing_and_keeps_the_previous_tables_when_one_fails(pg):
    police = _police_id()
    url = pg.tcp_url(schema="atomic")
    assert run("compare", "ltla-2024", police, "--out", url).returncode == 0
    before = _rows(pg, "SELECT count(*) FROM atomic.units")
    # someone's view on the last table written: dropping it fails, after units, pairs and slivers were replaced
    _rows(pg, "CREATE VIEW public.watch AS SELECT * FROM atomic.summary")
    p = run("compare", "ltla-2024", "ltla-2024", "--out", url)
    assert p.returncode == 2 and "the previous tables are unchanged" in p.stderr, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1
    assert _rows(pg, "SELECT count(*) FROM atomic.units") == before  # not the 636 rows of ltla × ltla
    assert _rows(pg, "SELECT DISTINCT layer FROM atomic.units ORDER BY 1").splitlines() == sorted(["ltla-2024", police])
    assert "depend" in p.stderr  # the server's reason is shown
    _rows(pg, "DROP VIEW public.watch")
    assert run("compare", "ltla-2024", "ltla-2024", "--out", url).returncode == 0
    assert _rows(pg, "SELECT count(*) FROM atomic.units") == "636"


def test_out_postgresql_never_replaces_a_table_it_did_not_write(pg):
    _rows(pg, "CREATE SCHEMA theirs; CREATE TABLE theirs.units (precious int); INSERT INTO theirs.units VALUES (42)")
    p = run("compare", "ltla-2024", _police_id(), "--out", pg.url(schema="theirs"))
    assert p.returncode == 2 and "theirs.units exist(s) and were not written by coterm" in p.stderr, p.stderr
    assert _rows(pg, "SELECT precious FROM theirs.units") == "42"
    assert _rows(pg, "SELECT count(*) FROM pg_tables WHERE schemaname = 'theirs'") == "1"


def test_out_to_a_read_only_destination_is_one_clear_line(pg):
    p = run("compare", "ltla-2024", _police_id(), "--out", pg.url(user="reader", schema="results_ro"))
    assert p.returncode == 2, p.stderr
    line = p.stderr.strip()
    assert len(line.splitlines()) == 1 and "read-only" in line and "the previous tables are unchanged" in line, line
    assert _rows(pg, "SELECT count(*) FROM pg_namespace WHERE nspname = 'results_ro'") == "0"


# --- references, without a server ---------------------------------------------------------------------


def test_a_reference_is_shown_without_its_password_wherever_it_was_given():
    from coterm.postgis import redact

    assert redact("postgresql://ann:p%40ss@db.example:5433/gis?table=a.b") == "postgresql://ann:***@db.example:5433/gis?table=a.b"
    assert redact("postgresql://ann@/gis?host=/run/pg&password=hunter2&table=t") == "postgresql://ann@/gis?host=/run/pg&password=***&table=t"


def test_coterm_keys_are_taken_out_and_the_rest_goes_to_libpq_unchanged():
    from coterm.postgis import DatabaseError, parse_ref

    ref = parse_ref("postgresql://ann@/gis?host=/run/pg&sslmode=disable&table=boundaries.ltla&geometry=geom")
    assert (ref.table, ref.geometry, ref.sql, ref.schema) == ("boundaries.ltla", "geom", None, None)
    assert ref.conninfo == "postgresql://ann@/gis?host=%2Frun%2Fpg&sslmode=disable"
    assert parse_ref("postgresql:///gis?sql=SELECT%201%2B1").sql == "SELECT 1+1"
    with pytest.raises(DatabaseError, match="either \\?table= or \\?sql=, not both"):
        parse_ref("postgresql:///gis?table=a&sql=SELECT 1")
    with pytest.raises(DatabaseError, match="the key table= is given twice"):
        parse_ref("postgresql:///gis?table=a&table=b")
    assert parse_ref("postgresql:///gis?table=a&vintage=2024").vintage == "2024"
    with pytest.raises(DatabaseError, match="vintage= is the boundaries' year"):
        parse_ref("postgresql:///gis?table=a&vintage=May")


def test_an_earlier_runs_sensitivity_table_goes_when_the_new_run_has_none(pg):
    url = pg.url(schema="sens")
    assert run("compare", "ltla-2024", _police_id(), "--sensitivity", "--out", url).returncode == 0
    assert int(_rows(pg, "SELECT count(*) FROM sens.sensitivity")) == 10  # 5 thresholds × 2 layers
    assert run("compare", "ltla-2024", _police_id(), "--out", url).returncode == 0
    assert _rows(pg, "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'sens'") == \
        "pairs,slivers,summary,units"
