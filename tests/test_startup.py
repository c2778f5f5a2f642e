"""Start-up stays light: ``import coterm``, ``coterm --help`` and ``coterm layers`` load no data stack.

The public API is lazy (PEP 562); these run in fresh interpreters, since the test process has
long imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pandas", "geopandas", "shapely", "pyarrow", "pyproj", "numpy", "folium", "sqlalchemy")


def loaded_after(code: str) -> list[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_coterm_loads_no_data_stack():
    assert loaded_after("import coterm") == []


@pytest.mark.parametrize("args", [["--help"], ["layers"], ["layers", "--json"], ["--version"]])
def test_help_and_layers_load_no_data_stack(args):
    code = (
        "import sys, contextlib, io\n"
        f"sys.argv = ['coterm', *{args!r}]\n"
        "from coterm.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    try:\n        main()\n    except SystemExit as e:\n        assert e.code == 0, e.code\n"
        "assert out.getvalue().strip(), 'no output'\n"
    )
    assert loaded_after(code) == []


def test_using_a_name_imports_only_what_it_needs():
    assert loaded_after("import coterm; coterm.get_entry('ltla-2021'); coterm.CotermError") == []
    assert "pandas" in loaded_after("import coterm; coterm.Layer")


def test_the_api_function_wins_over_its_submodule_whichever_is_imported_first():
    for first in ("import coterm.overlap", "from coterm.overlap import Overlap", "import coterm; coterm.Overlap",
                  "import coterm; coterm.overlap"):
        code = (f"{first}\nimport coterm, coterm.overlap, types, sys\n"
                "assert callable(coterm.overlap) and not isinstance(coterm.overlap, types.ModuleType), coterm.overlap\n"
                "assert isinstance(sys.modules['coterm.overlap'], types.ModuleType)\n"
                "assert coterm.overlap is sys.modules['coterm.overlap'].overlap\n"
                "assert coterm.Overlap is sys.modules['coterm.overlap'].Overlap\n")
        subprocess.run([sys.executable, "-c", code], check=True)


def test_unknown_names_still_raise_attribute_error():
    import coterm

    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        coterm.nonsense  # noqa: B018
    assert coterm.__version__ and isinstance(coterm.__version__, str)


def test_the_version_is_found_after_the_cli_imported_the_version_module():
    # the CLI imports coterm._version first; the import system then binds that submodule on the package
    code = ("import coterm._version, coterm\n"
            "assert isinstance(coterm.__version__, str) and coterm.__version__ == coterm._version.__version__, coterm.__version__\n"
            "from coterm import __version__\n")
    subprocess.run([sys.executable, "-c", code], check=True)
