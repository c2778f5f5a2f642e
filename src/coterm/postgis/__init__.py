"""PostGIS as a source of layers and a destination of results.

A *database reference* is a libpq URI with coterm's own keys in its query string::

    postgresql://user@host:5432/db?table=boundaries.ltla       a table (or view), schema-qualified or on the search_path
    postgresql://user@host:5432/db?sql=SELECT code, geom FROM   a query (URL-encoded)
    postgresql://user@host:5432/db?schema=results              a destination for ``coterm compare --out``

``geometry=COLUMN`` picks one geometry column when a table has several; ``vintage=2024`` gives the
boundaries' year, which picks the LSOA population base in geometry mode (LSOA 2021 from 2023 on),
as a catalogue layer's vintage does. Every other key (``host=``
for a unix socket, ``sslmode=``...) goes to libpq unchanged, which also reads the password from
the URL, the ``PG*`` environment variables or ``~/.pgpass``. Passwords are never printed: messages
show the reference without it (:func:`redact`).

The database drivers (SQLAlchemy, psycopg 3, GeoAlchemy2: ``pip install coterm[postgis]``) are
imported only when a reference is used.
"""

from __future__ import annotations

from .read import read_postgis_layer
from .refs import OUTPUT_TABLES, DatabaseError, DatabaseOutputError, DbRef, is_database_ref, parse_ref, redact
from .write import write_postgis_outputs

__all__ = ["is_database_ref", "parse_ref", "redact", "read_postgis_layer", "write_postgis_outputs", "DatabaseError",
           "DatabaseOutputError", "DbRef", "OUTPUT_TABLES"]
