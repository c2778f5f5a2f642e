"""A tampered or malformed catalogue is refused naming the file: sha256 verified on first use, schema checked on load."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

import coterm
from coterm.catalog import _parse, catalog_dir
from coterm.errors import CatalogError
from coterm.io import tables
from hostile_helpers import cli_error, run_cli

ROOT = catalog_dir()


@pytest.fixture
def copy(tmp_path):
    """A private copy of the bundled catalogue folder."""
    dest = tmp_path / "boundaries"
    shutil.copytree(ROOT, dest)
    return dest


def _flip_last_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_tampered_layer_file_is_refused_naming_it(copy, monkeypatch):
    target = copy / "layers" / "pfa-2020.parquet"
    _flip_last_byte(target)
    monkeypatch.setenv("COTERM_BOUNDARIES", str(copy))
    with pytest.raises(CatalogError, match=rf"{target}: bundled layer file does not match the catalogue \(sha256 "):
        coterm.load_layer("pfa-2020")
    cli_error(run_cli("show", "pfa-2020", env={"COTERM_BOUNDARIES": str(copy)}), f"{target}: bundled layer file does not match the catalogue",
              "reinstall coterm or rebuild the catalogue")


def test_a_tampered_lookup_is_refused_naming_it(copy, monkeypatch):
    cat = tomllib.loads((copy / "catalog.toml").read_text())
    entry = next(e for e in cat["layer"] if e["id"] == "pfa-2020")
    lookup = copy / entry["atoms"]["lookup"]
    lookup.write_text(lookup.read_text().replace("E23000001", "E23000002", 1))
    cli_error(run_cli("compare", "pfa-2020", "ltla-2021", env={"COTERM_BOUNDARIES": str(copy)}),
              f"{lookup}: atom lookup does not match the catalogue")


def test_a_tampered_atom_table_is_refused_naming_it(copy):
    base = tomllib.loads((copy / "catalog.toml").read_text())["atom_base"][0]
    target = copy / base["file"]
    _flip_last_byte(target)
    cli_error(run_cli("compare", "ltla-2021", "utla-2021", env={"COTERM_BOUNDARIES": str(copy)}),
              f"{target}: atom table for {base['id']} does not match the catalogue")


def test_the_bundled_files_match_their_sha256_and_are_hashed_once_per_process():
    cat = coterm.catalog.catalog()
    files = [(cat.path(e.file), e.sha256) for e in cat.entries] + [(cat.path(b.file), b.sha256) for b in cat.atom_bases]
    files += [(cat.path(e.atoms.lookup), e.atoms.sha256) for e in cat.entries if e.atoms is not None]
    for path, digest in files:
        tables.verify_sha256(path, digest)
    n = len(tables._VERIFIED)
    calls = []
    real = tables.hashlib.sha256
    tables.hashlib.sha256 = lambda *a: calls.append(1) or real(*a)
    try:
        for path, digest in files:
            tables.verify_sha256(path, digest)
    finally:
        tables.hashlib.sha256 = real
    assert calls == [] and len(tables._VERIFIED) == n


def _with(copy: Path, old: str, new: str) -> Path:
    p = copy / "catalog.toml"
    text = p.read_text()
    assert old in text
    p.write_text(text.replace(old, new, 1))
    return p


@pytest.mark.parametrize("old,new,message", [
    ("schema = 1", "schema = 2", r"has schema = 2; this coterm reads catalogue schema 1"),
    ("schema = 1\n", "", r"has no schema key; this coterm reads catalogue schema 1"),
    ('[[layer]]\nid = "ltla-2013"', '[[layer]]\nid = "ltla-2013"\ncolour = "red"',
     r"layer #1 \(ltla-2013\) has unknown key\(s\) 'colour'; the schema 1 keys are: "),
    ("schema = 1\n", "schema = 1\nowner = \"x\"\n", r"unknown top-level key\(s\) 'owner'"),
    ('[layer.atoms]\nbase = "lsoa-2011"', '[layer.atoms]\nbase = "lsoa-2011"\nweight = "x"', r"layer #1 \(ltla-2013\) \[atoms\] has unknown key\(s\) 'weight'"),
    ("features = 326", 'features = "326"', r"layer #1 \(ltla-2013\): features must be int, not str"),
    ("approximate = false", "approximate = 0", r"approximate must be bool, not int"),
    ('family = "council"', 'family = "councils"', r"layer ltla-2013 has family 'councils'; choose one of council, health"),
    ('[[atom_base]]\nid = "lsoa-2011"', '[[atom_base]]\nid = "lsoa-2011"\nextra_col = 1', r"atom_base #1 has unknown key\(s\) 'extra_col'"),
])
def test_a_catalogue_that_breaks_the_schema_is_refused_naming_the_key(copy, old, new, message):
    p = _with(copy, old, new)
    with pytest.raises(CatalogError, match=rf"{p}: .*{message}" if not message.startswith("layer #") else rf"{p}: {message}"):
        _parse(copy)
    cli_error(run_cli("layers", env={"COTERM_BOUNDARIES": str(copy)}), str(p))


def test_the_bundled_catalogue_follows_the_schema():
    cat = _parse(ROOT)
    assert len(cat.entries) == len(tomllib.loads((ROOT / "catalog.toml").read_text())["layer"])
    assert {e.family for e in cat.entries} <= set(coterm.catalog.FAMILIES)


def test_a_tampered_lsoa_bridge_is_refused_naming_it(copy):
    cat = tomllib.loads((copy / "catalog.toml").read_text())
    if not cat.get("atom_bridge"):
        pytest.skip("this catalogue has no LSOA bridge")
    bridge = copy / cat["atom_bridge"][0]["file"]
    bridge.write_text(bridge.read_text().replace("\n", "\r\n", 1))
    cli_error(run_cli("compare", "ltla-2024", "icb-2022", env={"COTERM_BOUNDARIES": str(copy)}),
              f"{bridge}: atom bridge does not match the catalogue")
