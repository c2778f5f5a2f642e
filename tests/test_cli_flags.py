"""Every option a message, docstring or help text suggests exists on the command line, and the public API is curated."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "coterm"
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


def _commands():
    """(path, click.Command) for the root group and every command and sub-command."""
    from coterm.cli.main import cli

    ctx = click.Context(cli)
    out = [("coterm", cli)]
    todo = [("coterm", cli)]
    while todo:
        path, group = todo.pop()
        for name in group.list_commands(ctx):
            cmd = group.get_command(ctx, name)
            out.append((f"{path} {name}", cmd))
            if isinstance(cmd, click.Group):
                todo.append((f"{path} {name}", cmd))
    return out


def _flags(cmd) -> set[str]:
    return {o for p in cmd.params if isinstance(p, click.Option) for o in p.opts + p.secondary_opts} | {"--help"}


def _strings_in_source():
    """(file, line, text) of every string literal (f-string parts included) in the package."""
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                yield path.relative_to(SRC.parent), node.lineno, node.value


def test_every_flag_named_in_the_package_exists_on_some_command():
    known = set().union(*(_flags(c) for _, c in _commands()))
    missing, found = [], set()
    for path, line, text in _strings_in_source():
        for flag in FLAG.findall(text):
            found.add(flag)
            if flag not in known:
                missing.append(f"{path}:{line}: {flag}")
    # the scan sees the loader's and the engines' suggestions (so it can fail)
    assert {"--code", "--name", "--layer", "--crs", "--mode", "--base", "--against"} <= found
    assert not missing, "messages suggest options that no command has:\n" + "\n".join(missing)


@pytest.mark.parametrize("flag", ["--code", "--name", "--layer", "--crs"])
def test_the_file_options_the_loader_suggests_exist_per_side_on_every_command_that_takes_two_layers(flag):
    cmds = dict(_commands())
    base = flag[2:]
    for name in ("coterm compare", "coterm map", "coterm reconcile"):
        assert {f"--a-{base}", f"--b-{base}"} <= _flags(cmds[name]), name
    for name in ("coterm show", "coterm units"):
        assert flag in _flags(cmds[name]), name
    for name in ("coterm scenario run", "coterm scenario check"):
        assert {f"--base-{base}", f"--against-{base}", "--base"} <= _flags(cmds[name]), name


def test_a_suggested_flag_is_rewritten_to_the_side_that_needs_it():
    from coterm.cli.options import _FLAG_RE

    msg = "x.gpkg: holds 2 layers (a, b); choose one with layer= (CLI: --layer NAME); or --code COLUMN, --crs EPSG:27700"
    assert _FLAG_RE.sub(lambda m: f"--b-{m.group(1)}", msg) == (
        "x.gpkg: holds 2 layers (a, b); choose one with layer= (CLI: --b-layer NAME); or --b-code COLUMN, --b-crs EPSG:27700")


def test_dir_of_the_package_is_its_public_api_and_private_names_only():
    import coterm
    import coterm.maps  # noqa: F401  (loading submodules must not widen dir())
    import coterm.scenarios  # noqa: F401

    public = {n for n in dir(coterm) if not n.startswith("_")}
    assert public == {n for n in coterm.__all__ if not n.startswith("_")}
    for name in coterm.__all__:
        assert getattr(coterm, name) is not None, name
    assert callable(coterm.overlap) and callable(coterm.compare_scenario)  # functions, not the submodules of the same name
