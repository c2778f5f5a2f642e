"""The bundled catalogue of boundary layers: ``boundaries/catalog.toml`` → entries.

The catalogue folder is found, in order: ``$COTERM_BOUNDARIES``; ``coterm/_boundaries`` inside the
installed package (a wheel carries it there); ``boundaries/`` at the root of a source checkout.
"""

from __future__ import annotations

import difflib
import functools
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CatalogError, UnknownLayerError, shown

__all__ = ["CatalogEntry", "AtomDef", "AtomBaseEntry", "Catalog", "catalog", "catalog_dir", "list_layers", "get_entry", "FAMILIES"]

#: The families of public bodies, in display order: the one definition (the CLI, scenarios and the build use it).
FAMILIES = ("council", "health", "police", "fire", "resilience", "statistical")


@dataclass(frozen=True)
class AtomDef:
    """How a layer is defined as a union of building blocks (atoms)."""

    base: str
    lookup: str
    key_column: str
    unit_column: str
    via: str = ""
    sha256: str = ""


@dataclass(frozen=True)
class AtomBaseEntry:
    id: str
    file: str
    population_source: str = ""
    population_total: int = 0
    units: int = 0
    sha256: str = ""
    population_year: str = ""


@dataclass(frozen=True)
class AtomBridge:
    """A lookup between two atom bases (e.g. LSOA 2011 -> 2021) with the ONS change codes."""

    source: str  # atom base id of the keys
    target: str
    file: str
    sha256: str = ""
    key_column: str = ""
    unit_column: str = ""
    change_column: str = ""
    source_dataset: str = ""


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    title: str
    family: str
    file: str
    kind: str = ""
    vintage: str = ""
    coverage: str = ""
    code_field: str = "code"
    name_field: str = "name"
    crs: str = "EPSG:27700"
    source_crs: str = ""
    features: int = 0
    generalisation: str = ""
    approximate: bool = False
    note: str = ""
    source_dataset: str = ""
    origin: str = ""
    licence: str = ""
    attribution: str = ""
    attribution_html: str = ""
    sha256: str = ""
    published_variant: str = ""
    current: bool = False  # describes the bodies in force now (2026)
    derived: str = ""  # evidence, when the layer is derived from facts rather than copied from an ONS lookup
    units_file: str = ""  # per-unit attributes (status, start, force, NHS code ...), CSV keyed by code
    units_sha256: str = ""
    atoms: AtomDef | None = None
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    def as_dict(self) -> dict:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__ if k not in ("atoms", "extra")}
        d["atoms"] = None if self.atoms is None else dict(self.atoms.__dict__)
        return d


@dataclass(frozen=True)
class Catalog:
    root: Path
    entries: tuple[CatalogEntry, ...]
    atom_bases: tuple[AtomBaseEntry, ...]
    attribution: str = ""
    attribution_html: str = ""
    bridges: tuple[AtomBridge, ...] = ()

    def ids(self) -> list[str]:
        return [e.id for e in self.entries]

    def get(self, layer_id: str) -> CatalogEntry:
        for e in self.entries:
            if e.id == layer_id:
                return e
        near = difflib.get_close_matches(layer_id, self.ids(), n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(near)}?" if near else "see `coterm layers` for the list"
        raise UnknownLayerError(f"'{shown(layer_id)}' is not a catalogue layer id nor an existing file; {hint}")

    def atom_base(self, base_id: str) -> AtomBaseEntry:
        for b in self.atom_bases:
            if b.id == base_id:
                return b
        raise CatalogError(f"{self.root / 'catalog.toml'}: atom base {base_id!r} is referenced but not defined")

    def path(self, rel: str) -> Path:
        return self.root / rel


def catalog_dir() -> Path:
    """Where the bundled boundaries live (see module docstring for the search order)."""
    env = os.environ.get("COTERM_BOUNDARIES")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    for cand in (here / "_boundaries", here.parents[1] / "boundaries"):
        if (cand / "catalog.toml").exists():
            return cand
    return here / "_boundaries"


SCHEMA = 1
_TOP_KEYS = {"schema", "attribution", "attribution_html", "atom_base", "atom_bridge", "layer"}


def _fields(cls) -> dict:
    """Field name → the Python type its value must have in the TOML (str, int or bool), or None for nested tables."""
    import dataclasses

    out = {}
    for f in dataclasses.fields(cls):
        if f.name in ("atoms", "extra"):
            continue
        default = f.default if f.default is not dataclasses.MISSING else ""
        out[f.name] = type(default)
    return out


def _checked(cls, item, where: str, path: Path, *, nested: dict | None = None):
    """Build ``cls`` from a TOML table, refusing unknown keys, missing required keys and values of the wrong type."""
    import dataclasses

    if not isinstance(item, dict):
        raise CatalogError(f"{path}: {where} must be a table, not {type(item).__name__}")
    fields = _fields(cls)
    allowed = set(fields) | set(nested or {})
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise CatalogError(f"{path}: {where} has unknown key(s) {', '.join(map(repr, unknown))}; the schema {SCHEMA} keys are: "
                           f"{', '.join(sorted(allowed))} (a newer catalogue? update coterm)")
    required = [f.name for f in dataclasses.fields(cls) if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    missing = [k for k in required if k not in item]
    if missing:
        raise CatalogError(f"{path}: {where} lacks required key(s) {', '.join(map(repr, missing))}")
    kw = {}
    for k, v in item.items():
        if nested and k in nested:
            kw[k] = _checked(nested[k], v, f"{where} [atoms]", path)
            continue
        want = fields[k]
        if type(v) is not want:  # bool is not int, int is not float
            raise CatalogError(f"{path}: {where}: {k} must be {want.__name__}, not {type(v).__name__} ({shown(v, 40)})")
        kw[k] = v
    return cls(**kw)


def _parse(root: Path) -> Catalog:
    path = root / "catalog.toml"
    if not path.exists():
        raise CatalogError(
            f"{path}: the boundary catalogue is missing; reinstall coterm (pip install .) or set COTERM_BOUNDARIES to a folder holding catalog.toml"
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise CatalogError(f"{path}: invalid TOML ({shown(exc, 200)})") from None
    if raw.get("schema") != SCHEMA:
        got = "no schema key" if "schema" not in raw else f"schema = {shown(raw['schema'], 20)}"
        raise CatalogError(f"{path}: has {got}; this coterm reads catalogue schema {SCHEMA}: rebuild it (make boundaries) or update coterm")
    unknown = sorted(set(raw) - _TOP_KEYS)
    if unknown:
        raise CatalogError(f"{path}: unknown top-level key(s) {', '.join(map(repr, unknown))}; schema {SCHEMA} has {', '.join(sorted(_TOP_KEYS))}")
    for k in ("attribution", "attribution_html"):
        if not isinstance(raw.get(k, ""), str):
            raise CatalogError(f"{path}: {k} must be a string")
    entries, seen = [], set()
    for i, item in enumerate(raw.get("layer", []), 1):
        lid = item.get("id", "?") if isinstance(item, dict) else "?"
        e = _checked(CatalogEntry, item, f"layer #{i} ({shown(lid, 60)})", path, nested={"atoms": AtomDef})
        if e.family not in FAMILIES:
            raise CatalogError(f"{path}: layer {shown(e.id, 60)} has family '{shown(e.family, 40)}'; choose one of {', '.join(FAMILIES)}")
        if e.id in seen:
            raise CatalogError(f"{path}: layer id '{shown(e.id, 60)}' appears twice")
        seen.add(e.id)
        entries.append(e)
    bases = tuple(_checked(AtomBaseEntry, b, f"atom_base #{i}", path) for i, b in enumerate(raw.get("atom_base", []), 1))
    bridges = tuple(_checked(AtomBridge, b, f"atom_bridge #{i}", path) for i, b in enumerate(raw.get("atom_bridge", []), 1))
    return Catalog(root, tuple(entries), bases, raw.get("attribution", ""), raw.get("attribution_html", ""), bridges)


@functools.lru_cache(maxsize=4)
def _cached(root: str) -> Catalog:
    return _parse(Path(root))


def catalog() -> Catalog:
    """The bundled catalogue (parsed once per folder)."""
    return _cached(str(catalog_dir()))


def list_layers(family: str | None = None) -> list[CatalogEntry]:
    """Catalogue entries, optionally of one family (council, health, police, fire, resilience, statistical).

    Examples
    --------
    >>> import coterm
    >>> [e.id for e in coterm.list_layers("fire")][:1]
    ['fra-2021']
    """
    if family is not None and family not in FAMILIES:
        raise CatalogError(f"unknown family {family!r}; choose one of {', '.join(FAMILIES)}")
    return [e for e in catalog().entries if family is None or e.family == family]


def get_entry(layer_id: str) -> CatalogEntry:
    return catalog().get(layer_id)
