"""Common footprints on drawn grids with hand-computed answers, and on real-data truths."""

from __future__ import annotations

import pytest
from conftest import X0, Y0, drawn_layer, square

from coterm.decisions import DecisionError, footprints


@pytest.fixture
def grid():
    """A: four 1 km columns; B: two 2 km halves; C: [0, 2.2) and [2.2, 4) km, so C1 reaches 0.2 km into A2 and B2."""
    a = drawn_layer([(f"A{i}", f"A {i}", square(X0 + 1000 * i, Y0, 1000, 2000)) for i in range(4)], id="cols")
    b = drawn_layer([("B1", "B one", square(X0, Y0, 2000, 2000)), ("B2", "B two", square(X0 + 2000, Y0, 2000, 2000))], id="halves")
    c = drawn_layer([("C1", "C one", square(X0, Y0, 2200, 2000)), ("C2", "C two", square(X0 + 2200, Y0, 1800, 2000))], id="offset")
    return a, b, c


def test_columns_in_halves_give_the_two_halves_as_footprints_with_nothing_gluing(grid):
    a, b, _ = grid
    fp = footprints([a, b], mode="geometry", by="area")
    assert sorted(fp.footprints["halves"]) == ["B1", "B2"]
    assert sorted(fp.footprints["cols"]) == ["A0;A1", "A2;A3"]
    assert fp.footprints["measure"].tolist() == pytest.approx([4e6, 4e6])
    assert fp.gluing.empty and fp.pieces.empty


def test_an_offset_boundary_glues_the_halves_into_one_footprint_through_one_piece_of_ground(grid):
    fp = footprints(list(grid), mode="geometry", by="area")
    assert len(fp.footprints) == 1
    row = fp.footprints.iloc[0]
    assert (row["cols"], row["halves"], row["offset"]) == ("A0;A1;A2;A3", "B1;B2", "C1;C2")
    assert row["n_cores"] == 2 and row["gluing_overlaps"] == 1
    # the strip x in [2, 2.2) km: C1 with A2 and with B2, 0.2 km x 2 km = 0.4 km²
    pairs = {(r.a_code, r.b_code): r.measure for r in fp.gluing.itertuples()}
    assert pairs == pytest.approx({("A2", "C1"): 4e5, ("B2", "C1"): 4e5})
    cores = dict(zip(fp.units["code"], fp.units["core"]))
    assert cores["A0"] == cores["A1"] == cores["B1"] == cores["C1"] != cores["A2"] == cores["A3"] == cores["B2"] == cores["C2"]
    piece = fp.pieces.iloc[0]
    assert piece["measure"] == pytest.approx(4e5)
    assert "A 2 (A2, cols)" in piece["units"] and "C one (C1, offset)" in piece["units"] and "B two (B2, halves)" in piece["units"]


def test_min_share_drops_the_strip_and_the_footprints_fall_apart(grid):
    # A2∩C1 is 20% of A2 and 9% of C1: kept under 0.15, a sliver under 0.25
    assert len(footprints(list(grid), mode="geometry", by="area", min_share=0.15).footprints) == 1
    fp = footprints(list(grid), mode="geometry", by="area", min_share=0.25)
    assert sorted(fp.footprints["offset"]) == ["C1", "C2"]
    assert fp.pieces.empty


def test_a_layer_with_itself_gives_its_own_units(grid):
    a = grid[0]
    fp = footprints([a, a], mode="geometry", by="area")
    assert sorted(fp.footprints["cols"]) == ["A0", "A1", "A2", "A3"]
    assert sorted(fp.footprints["cols#2"]) == ["A0", "A1", "A2", "A3"]


def test_districts_and_counties_give_the_counties():
    import coterm

    fp = footprints(["ltla-2021", "utla-2021"])
    counties = coterm.load_layer("utla-2021").codes
    assert fp.mode == "atoms"
    assert sorted(fp.footprints["utla-2021"]) == sorted(counties)
    assert fp.pieces.empty


def test_the_real_national_footprints_are_glued_by_east_suffolk_and_royston():
    fp = footprints(["ltla-2021", "icb-2022", "pfa-2020", "fra-2021"])
    text = " ".join(fp.pieces["units"])
    # Waveney (East Suffolk) lies in Norfolk and Waveney ICB; Royston (North Hertfordshire) in Cambridgeshire and Peterborough
    assert "East Suffolk (E07000244, ltla-2021)" in text and "North Hertfordshire (E07000099, ltla-2021)" in text
    assert fp.footprints["measure"].sum() == pytest.approx(fp.overlaps[("ltla-2021", "icb-2022")].units_a["measure"].sum()
                                                          + fp.footprints.loc[fp.footprints["icb-2022"] == "", "measure"].sum())


def test_layers_of_different_building_blocks_are_refused_in_one_line():
    with pytest.raises(DecisionError, match=r"ltla-2024 and pfa-2020 are not built from the same building blocks.*--mode geometry"):
        footprints(["ltla-2024", "pfa-2020"])
    with pytest.raises(DecisionError, match="at least two layers"):
        footprints(["ltla-2024"])


def test_outputs_are_byte_identical_on_a_rerun(grid, tmp_path):
    from coterm.decisions.footprints import write_footprints

    fp = footprints(list(grid), mode="geometry", by="area")
    write_footprints(fp, tmp_path / "a")
    write_footprints(footprints(list(grid), mode="geometry", by="area"), tmp_path / "b")
    for f in sorted((tmp_path / "a").iterdir()):
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes(), f.name


def test_the_footprint_map_draws_every_unit_of_the_first_layer_offline_with_escaped_names(tmp_path):
    from coterm.decisions.footprint_map import save_footprint_map

    evil = '<img src=x onerror="alert(1)">'
    a = drawn_layer([(f"A{i}", evil if i == 0 else f"A {i}", square(X0 + 1000 * i, Y0, 1000, 2000)) for i in range(4)], id="cols")
    b = drawn_layer([("B1", "B one", square(X0, Y0, 2000, 2000)), ("B2", "B two", square(X0 + 2000, Y0, 2000, 2000))], id="halves")
    fp = footprints([a, b], mode="geometry", by="area")
    path = tmp_path / "fp.html"
    save_footprint_map(fp, path)
    html = path.read_text(encoding="utf-8")
    assert html.count("<path ") == 4 and "http" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org/2000/svg", "")
    assert evil not in html and "&lt;img src=x onerror=" in html
    first = path.read_bytes()
    save_footprint_map(footprints([a, b], mode="geometry", by="area"), path)
    assert path.read_bytes() == first
