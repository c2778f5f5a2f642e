"""Regenerate examples/quickstart.ipynb (run from the repository root): its code cells follow the README's Python section."""
import nbformat
from nbformat.v4 import new_notebook, new_markdown_cell, new_code_cell
cells = [
    new_markdown_cell("# coterm quick start\n\nThe README's Python quick start, cell by cell, with the notebook views of the results "
                      "(short summaries instead of whole frames). Run it from the repository's root folder (it reads `scenarios/`). "
                      "The tests execute it (`tests/test_notebook.py`) and check that it holds every line of the README's *Python* "
                      "section in order, so neither can rot."),
    new_code_cell('import coterm\n\nov = coterm.overlap("ltla-2021", "icb-2022")          # atom mode, weighted by population\nov'),
    new_code_cell("s = coterm.score(ov)\ns"),
    new_code_cell('s.indices["a_to_b"]["alignment_rate"]                  # {\'count\': 0.961, \'area\': ..., \'population\': 0.967}'),
    new_code_cell("s.units.query(\"side == 'a' and `class` in ['split', 'minor split']\")   # the 12 districts that straddle ICBs"),
    new_markdown_cell("The units of one side as a GeoDataFrame: class, partners as list columns, geometry (EPSG:27700)."),
    new_code_cell('districts = s.to_geodataframe("a")\ndistricts.loc[districts["class"] == "split", ["code", "name", "partner_names", "partner_shares"]]'),
    new_code_cell('res = coterm.compare_scenario("scenarios/icb-mergers-2026.toml", against=["utla-2021", "pfa-2020"])\nres'),
    new_code_cell("res.changed_units"),
    new_code_cell('m = coterm.coterminosity_map("ltla-2021", "icb-2022")   # a coterm.maps.MapPage (data + package template)\ncoterm.save_map(m, "icb.html")'),
    new_code_cell('coterm.save_map(coterm.scenario_map(res, "pfa-2020"), "icb-2026-police.html")   # one ScenarioResult, one partner'),
    new_markdown_cell("`Scores.explore()` returns the same interactive map, as `GeoDataFrame.explore()` does."),
    new_code_cell("s.explore()"),
]
nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                                          "language_info": {"name": "python"}})
nbformat.write(nb, "examples/quickstart.ipynb")
