"""The "Decisions now" folder for the demo: league tables of the decided and consulted areas, mayoral, footprints."""

from __future__ import annotations

from coterm.decisions.now import demo_areas, write_decisions_now


def test_the_decisions_now_folder_links_every_output_and_names_halton(tmp_path):
    assert [p.name for p in demo_areas()] == ["east-sussex", "essex", "hampshire", "norfolk"]
    index = write_decisions_now(tmp_path / "decisions")
    html = index.read_text(encoding="utf-8")
    for link in ("options/options.html", "mayoral/mayoral.html", "footprints/map.html", "footprints/footprints.html"):
        assert f'href="{link}' in html and (index.parent / link).is_file()
    assert "Cheshire police area = Cheshire and Warrington Combined Authority + Halton" in html
    assert "norfolk" in html and "hampshire" in html
