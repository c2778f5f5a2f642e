"""Reading a PostGIS table, view or query as a validated layer."""

from __future__ import annotations

import warnings

from .refs import DatabaseError, _connection, _crs_of, _drivers, _first_line, _geometry_column, _raw, _table_sql, parse_ref


def read_postgis_layer(text: str, *, code: str | None = None, name: str | None = None, crs=None):
    """Read a PostGIS table, view or query as a validated :class:`~coterm.layer.Layer`.

    Codes, names and the CRS follow the same rules as for files (``code=``/``name=`` name the
    columns; ``crs=`` overrides a missing SRID). Raises :class:`DatabaseError` with one line naming
    the reference (without password) for an unreachable server, a refused password, an unknown
    schema or table, no or several geometry columns, SRID 0 or unknown and a failing query;
    non-polygons are refused by :func:`~coterm.layer.make_layer`, naming the codes.
    """
    import geopandas as gpd
    import shapely

    from ..layer import make_layer

    ref = parse_ref(text)
    psycopg, sqlalchemy = _drivers(ref)
    if ref.table is None and ref.sql is None:
        raise DatabaseError(f"{ref.shown}: say what to read with ?table=schema.name or ?sql=SELECT ...")
    with _connection(ref) as conn:
        try:
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            sql = _table_sql(conn, ref) if ref.table else ref.sql.rstrip().rstrip(";")
            geom = _geometry_column(conn, ref, sql)
            with warnings.catch_warnings():  # pandas prefers SQLAlchemy; the raw connection keeps '%' and ':' literal
                warnings.simplefilter("ignore", UserWarning)
                # crs given so read_postgis does not guess it from the first row; the SRIDs are checked below
                gdf = gpd.read_postgis(f"SELECT * FROM ({sql}) AS coterm_q", _raw(conn), geom_col=geom, crs="EPSG:4326")
        except (sqlalchemy.exc.DBAPIError, psycopg.Error) as exc:
            raise DatabaseError(f"{ref.shown}: the {ref.what} failed: {_first_line(exc)}; check it in psql") from None
        geoms = gdf.geometry.to_numpy()
        present = ~shapely.is_missing(geoms)
        gdf = gdf.set_crs(_crs_of(conn, ref, shapely.get_srid(geoms[present]), crs), allow_override=True)
    if geom != "geometry":
        gdf = gdf.rename_geometry("geometry") if "geometry" not in gdf.columns else gdf
    label = ref.table or "query"
    return make_layer(gdf, id=label, title=label, code=code, name=name, crs=None, source=ref.shown, vintage=ref.vintage or "")


