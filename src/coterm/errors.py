"""One exception hierarchy, following the data's levels (catalogue, file, layer, unit, scenario).

Every message is meant to be shown to a user as a single line: it names the file, layer, column or
codes involved and says what to do. The CLI prints ``str(exc)`` and exits non-zero.
"""

from __future__ import annotations

import unicodedata
import warnings

__all__ = [
    "CotermError",
    "CatalogError",
    "UnknownLayerError",
    "CatalogIntegrityError",
    "DataFileError",
    "LayerChoiceError",
    "CRSError",
    "GeometryError",
    "CodeError",
    "OverlapError",
    "ScenarioError",
    "OutputError",
    "CotermWarning",
    "GeometryRepairWarning",
    "CoverageWarning",
    "warn",
    "shown",
]


class CotermError(Exception):
    """Base class for every error coterm raises on purpose."""


class CatalogError(CotermError):
    """The bundled catalogue (``boundaries/catalog.toml``) is missing, malformed or inconsistent."""


class CatalogIntegrityError(CatalogError):
    """A bundled file that does not match the catalogue's sha256 (changed or damaged): never worked around."""


class UnknownLayerError(CatalogError, KeyError):
    """A layer id that is neither in the catalogue nor an existing file."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class DataFileError(CotermError):
    """A file that is missing, unreadable, corrupt or of an unsupported format."""


class LayerChoiceError(DataFileError):
    """A multi-layer file (GeoPackage) where the layer to read was not chosen or does not exist."""


class CRSError(CotermError):
    """Missing, geographic-where-metric-is-needed, or implausible coordinate reference system."""


class GeometryError(CotermError):
    """Geometries that cannot be used (not polygons, all empty, unrepairable)."""


class CodeError(CotermError):
    """Unit codes that are missing, duplicated or not found."""


class OverlapError(CotermError):
    """Two layers that cannot be overlapped as asked (no common extent, no atom definition...)."""


class ScenarioError(CotermError):
    """A scenario file that cannot be read or does not validate."""


class OutputError(CotermError):
    """An output path that cannot be written."""


class CotermWarning(UserWarning):
    """Base class for coterm's warnings."""


class GeometryRepairWarning(CotermWarning):
    """Geometries were repaired or dropped while loading; the message lists the codes."""


class CoverageWarning(CotermWarning):
    """A layer is not a partition (overlaps or gaps) or layers cover different extents."""


def warn(message: str, category: type[Warning] = CotermWarning) -> None:
    """Issue a coterm warning attributed to the caller's caller (the user's code)."""
    warnings.warn(message, category, stacklevel=3)


def shown(value, limit: int = 80) -> str:
    r"""A value from data as it may appear in a one-line message: invisible characters escaped, long values cut.

    Control, format (U+200B, U+202E...), line and paragraph separators become ``\n``, ``\u200b``...,
    so a code that differs from another only by an invisible character shows where; values longer than
    ``limit`` characters are cut with the total length stated (a 1 MB code gives a short line).

    >>> print(shown("E0600\u200b0001"))
    E0600\u200b0001
    >>> print(shown("x" * 1000, limit=10))
    xxxxxxxxxx… (1000 characters)
    """
    text = str(value)
    cut = text[:limit]
    out = []
    for ch in cut:
        cat = unicodedata.category(ch)
        if ch == "\\":
            out.append(ch)
        elif cat in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") or (cat == "Zs" and ch != " "):
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    res = "".join(out)
    if len(text) > limit:
        res += f"… ({len(text)} characters)"
    return res
