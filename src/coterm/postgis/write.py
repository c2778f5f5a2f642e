"""Writing results to a PostGIS schema in one transaction, replacing only tables coterm wrote."""

from __future__ import annotations

import json
import re

from .refs import _MARK, OUTPUT_TABLES, DatabaseOutputError, DbRef, _connection, _drivers, _first_line, _raw, parse_ref



def _output_frames(scores, sensitivity=None) -> dict:
    """The tables to write: units (with geometry when the layers have it), pairs, slivers, summary."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd

    from ..io import dumps_json
    from ..report import pairs_frame

    ov = scores.overlap
    units = scores.units.copy()
    geoms = []
    for side, lay in (("a", ov.a), ("b", ov.b)):
        codes = units.loc[units["side"] == side, "code"]
        geoms.append(lay.frame.geometry.reindex(codes.to_numpy()).to_numpy())
    units = gpd.GeoDataFrame(units, geometry=_multi(np.concatenate(geoms)), crs=ov.a.crs)
    summary = scores.to_dict()
    if sensitivity is not None:
        summary["sensitivity"] = sensitivity.to_dict(orient="records")
    summary_row = pd.DataFrame([{"a": ov.a.id, "b": ov.b.id, "mode": ov.mode, "by": ov.by,
                                 "min_share": float(ov.min_share), "summary": json.loads(dumps_json(summary))}])
    out = {"units": units, "pairs": pairs_frame(ov, "table"), "slivers": pairs_frame(ov, "slivers"), "summary": summary_row}
    if sensitivity is not None:
        out["sensitivity"] = sensitivity
    return out


def _multi(geoms):
    """Polygons as one-part MultiPolygons: one geometry type per column, so QGIS lists the table once."""
    import numpy as np
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    single = shapely.get_type_id(geoms) == 3
    if single.any():
        geoms[single] = shapely.multipolygons(geoms[single], indices=np.arange(int(single.sum())))
    return geoms


def _check_replaceable(conn, ref: DbRef, schema: str, names) -> list[str]:
    """Refuse to replace tables coterm did not write; return coterm's own output tables this run does not make."""
    from sqlalchemy import text

    rows = conn.execute(text(
        "SELECT c.relname, obj_description(c.oid, 'pg_class') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = :s AND c.relname = ANY(:t)"), {"s": schema, "t": list(OUTPUT_TABLES)}).all()
    ours = {r[0] for r in rows if (r[1] or "").startswith(_MARK)}
    foreign = sorted(r[0] for r in rows if r[0] not in ours and r[0] in names)
    if foreign:
        raise DatabaseOutputError(f"{ref.shown}: {', '.join(f'{schema}.{n}' for n in foreign)} exist(s) and were not written by coterm; "
                                  "choose another ?schema= (nothing was changed)")
    return sorted(ours - set(names))


def write_postgis_outputs(scores, text: str, *, sensitivity=None) -> str:
    """Write units, pairs, slivers and summary (and sensitivity) as tables in ``?schema=`` in ONE transaction.

    All or nothing: the previous tables are replaced only when every table has been written, and
    only tables coterm wrote before (marked by a table comment) are replaced. Units carry their
    geometry in the layers' CRS (EPSG:27700 for the catalogue), so QGIS opens them as a layer.
    Returns the schema written.
    """
    ref = parse_ref(text)
    psycopg, sqlalchemy = _drivers(ref, DatabaseOutputError)
    from psycopg import sql
    from sqlalchemy.dialects.postgresql import JSONB

    if ref.table or ref.sql:
        raise DatabaseOutputError(f"{ref.shown}: an output reference names a schema (?schema=results), not ?table= or ?sql=")
    schema = ref.schema or "public"
    frames = _output_frames(scores, sensitivity)
    mark = f"{_MARK}: {scores.overlap.a.id} x {scores.overlap.b.id}"
    with _connection(ref, error=DatabaseOutputError) as conn:
        try:
            with conn.begin():
                cur = _raw(conn).cursor()  # statements built with psycopg.sql: identifiers and literals quoted by the driver
                cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
                stale = _check_replaceable(conn, ref, schema, frames)
                for name in stale:  # an earlier run's table this run does not make (e.g. sensitivity)
                    cur.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(schema, name)))
                for name, df in frames.items():
                    cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(schema, name)))
                    if hasattr(df, "to_postgis"):
                        df.to_postgis(name, conn, schema=schema, if_exists="fail", index=False)
                    else:
                        df.to_sql(name, conn, schema=schema, if_exists="fail", index=False,
                                  dtype={"summary": JSONB} if name == "summary" else None)
                    cur.execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(sql.Identifier(schema, name), sql.Literal(mark)))
        except (sqlalchemy.exc.DBAPIError, psycopg.Error) as exc:
            why = _first_line(exc)
            hint = ("the destination is read-only or this user may not create tables there; "
                    if re.search(r"read-only|permission denied|must be owner", why, re.I) else "")
            raise DatabaseOutputError(f"{ref.shown}: cannot write the results to schema {schema!r} ({why}); "
                                      f"{hint}the previous tables are unchanged") from None
    return schema


