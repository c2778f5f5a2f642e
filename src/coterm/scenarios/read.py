"""Reading scenario files (TOML or CSV) into a :class:`~coterm.scenarios.model.Scenario`: syntax and
schema, no boundary data. TOML is read with :mod:`tomllib`; its positions (which tomllib does not
give) come from a line locator over the file's text, so every error starts with ``file:line:`` and
names the change and the code at fault. Files may have CRLF line endings and a UTF-8 BOM.
CSV files are read by :mod:`coterm.scenarios.read_csv`.
"""

from __future__ import annotations

import datetime as _dt
import re
import tomllib
from pathlib import Path

from ..errors import ScenarioError
from .model import (_CHANGE_TABLES, _HEADER_KEYS, _MERGE_KEYS, _TRANSFER_KEYS, Merge, Scenario, Transfer, _check_structure,
                    _fail, _generated, _make_scenario)

__all__ = ["read_scenario", "parse_scenario_text"]

def _read_text(path: Path, text: str | None) -> str:
    if text is None:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise ScenarioError(f"{path}: scenario file not found; check the path (shipped scenarios: `coterm scenario list`)") from None
        except OSError as exc:
            raise ScenarioError(f"{path}: cannot read the scenario file ({exc.strerror or exc})") from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise ScenarioError(f"{path}:{line}: not valid UTF-8 (byte {raw[exc.start]:#04x}); save the file as UTF-8") from None
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _detect_format(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix in (".toml", ".csv"):
        return suffix[1:]
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        return "csv" if "new_unit" in s and "=" not in s else "toml"
    return "toml"


def read_scenario(path, *, layer: str | None = None, text: str | None = None) -> Scenario:
    """Read and schema-check a scenario file (TOML or CSV). No boundary data is touched.

    Parameters
    ----------
    path : the file (``.toml`` or ``.csv``; other suffixes are sniffed).
    layer : for CSV files without a ``# layer:`` line, the layer the merges apply to.
        If the file names a layer too and they differ, that is an error.
    text : the file's content, if already read (``path`` is then only used in messages).

    Raises
    ------
    ScenarioError
        Syntax errors (with line numbers), duplicate TOML keys, unknown or mistyped keys, empty
        merges, a unit listed twice in one merge, a merge whose new code is one of its members,
        a unit in two merges, a transfer to its own source unit, two merges with the same name/code.
    """
    path = Path(path)
    text = _read_text(path, text)
    fmt = _detect_format(path, text)
    return parse_scenario_text(text, path=path, fmt=fmt, layer=layer)


def parse_scenario_text(text: str, *, path: Path | str = "<scenario>", fmt: str = "toml", layer: str | None = None) -> Scenario:
    """Parse scenario text (already decoded) in ``fmt`` ("toml" or "csv")."""
    path = Path(path)
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if fmt == "csv":
        from .read_csv import _parse_csv

        sc = _parse_csv(text, path, layer)
    else:
        sc = _parse_toml(text, path)
        if layer is not None and layer != sc.layer:
            raise _fail(sc.where(key="layer"), f"the file changes layer {sc.layer!r} but {layer!r} was given as its layer; "
                        "leave that out or fix the file's `layer`")
    _check_structure(sc)
    return sc



# --- TOML ------------------------------------------------------------------------------------------


_TABLE_RE = re.compile(r"^\s*\[\[\s*(merge|group|transfer)\s*\]\]\s*(#.*)?$")
_ANY_TABLE_RE = re.compile(r"^\s*\[")
_KEY_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=")


def _toml_layout(text: str):
    """Line numbers of each [[merge]]/[[group]]/[[transfer]] table, its span, and of top-level keys."""
    lines = text.split("\n")
    tables: dict[str, list[tuple[int, int]]] = {k: [] for k in _CHANGE_TABLES}
    key_lines: dict[str, int] = {}
    current = None
    starts = []
    for i, line in enumerate(lines, 1):
        m = _TABLE_RE.match(line)
        if m:
            starts.append((m.group(1), i))
            current = m.group(1)
            continue
        if _ANY_TABLE_RE.match(line) and not line.strip().startswith("[["):
            current = "other"
            starts.append(("other", i))
            continue
        if current is None:
            k = _KEY_RE.match(line)
            if k and k.group(1) not in key_lines:
                key_lines[k.group(1)] = i
    for j, (kind, start) in enumerate(starts):
        end = starts[j + 1][1] - 1 if j + 1 < len(starts) else len(lines)
        if kind in tables:
            tables[kind].append((start, end))
    return lines, tables, key_lines


def _find_line(lines: list[str], span: tuple[int, int] | None, needle: str) -> int | None:
    """First line in span (1-based, inclusive) holding ``"needle"`` or ``'needle'``."""
    if span is None:
        return None
    pats = (f'"{needle}"', f"'{needle}'")
    for i in range(span[0], min(span[1], len(lines)) + 1):
        if any(p in lines[i - 1] for p in pats):
            return i
    return None


def _find_key(lines: list[str], span: tuple[int, int] | None, key: str) -> int | None:
    if span is None:
        return None
    pat = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for i in range(span[0], min(span[1], len(lines)) + 1):
        if pat.match(lines[i - 1]):
            return i
    return span[0]


_LINE_COL_RE = re.compile(r"\(at line (\d+), column (\d+)\)")


def _parse_toml(text: str, path: Path) -> Scenario:
    try:
        raw = tomllib.loads(text)
    except RecursionError:
        raise ScenarioError(f"{path}: arrays or tables nested too deeply for TOML to read; a scenario needs at most "
                            "two levels ([[merge]] tables holding lists of codes)") from None
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _LINE_COL_RE.search(msg)
        line = m.group(1) if m else None
        detail = _LINE_COL_RE.sub("", msg).strip()
        if "Cannot overwrite a value" in msg or "Cannot declare" in msg:
            lines = text.split("\n")
            key = ""
            if line:
                k = _KEY_RE.match(lines[int(line) - 1]) if int(line) <= len(lines) else None
                key = f" {k.group(1)!r}" if k else ""
            raise ScenarioError(f"{path}:{line}: duplicate key{key} (TOML allows each key once per table); "
                                "remove or rename the repeated line") from None
        where = f"{path}:{line}" if line else str(path)
        col = f", column {m.group(2)}" if m else ""
        raise ScenarioError(f"{where}: invalid TOML{col}: {detail}; check quotes, commas and brackets") from None
    lines, tables, key_lines = _toml_layout(text)

    def where(line):
        return f"{path}:{line}" if line else str(path)

    known = set(_HEADER_KEYS) | set(_CHANGE_TABLES)
    for key in raw:
        if key not in known:
            near = _close(key, known)
            raise _fail(where(key_lines.get(key)), f"unknown key {key!r} in the scenario header{near}; "
                        f"expected {', '.join(sorted(known))}")
    header = {}
    for key, typ in _HEADER_KEYS.items():
        if key in raw:
            val = raw[key]
            if not isinstance(val, typ):
                raise _fail(where(key_lines.get(key)), f"{key!r} must be {_typename(typ)}, not {_typename(type(val))}")
            header[key] = val
    for req in ("name", "layer"):
        if not str(header.get(req, "")).strip():
            raise _fail(str(path), f"the header has no {req!r}; add e.g. {req} = \"...\" before the first [[merge]]")
    for key in ("source", "notes", "against"):
        if key in header and isinstance(header[key], list):
            bad = [v for v in header[key] if not isinstance(v, str)]
            if bad:
                raise _fail(where(key_lines.get(key)), f"{key!r} must list strings; found {bad[0]!r}")
    if "merge" in raw and "group" in raw:
        line = tables["group"][0][0] if tables["group"] else None
        raise _fail(where(line), "a file either changes a layer ([[merge]]) or defines a new one ([[group]]); "
                    "split it into two files")
    if "group" in raw and not header.get("defines"):
        line = tables["group"][0][0] if tables["group"] else None
        raise _fail(where(line), "[[group]] defines a new layer: add defines = \"<new-layer-id>\" to the header "
                    "(or use [[merge]] to change the layer itself)")
    if header.get("defines") and "merge" in raw:
        raise _fail(where(key_lines.get("defines")), "`defines` makes a new layer from [[group]]s; "
                    "rename the [[merge]] tables to [[group]]")

    merges = []
    for kind in ("merge", "group"):
        items = raw.get(kind, [])
        if not isinstance(items, list):
            raise _fail(where(key_lines.get(kind)), f"{kind!r} must be written as [[{kind}]] tables")
        spans = tables[kind]
        for i, item in enumerate(items, 1):
            span = spans[i - 1] if i - 1 < len(spans) else None
            merges.append(_toml_merge(item, i, kind, span, lines, path))
    transfers = []
    items = raw.get("transfer", [])
    if not isinstance(items, list):
        raise _fail(where(key_lines.get("transfer")), "'transfer' must be written as [[transfer]] tables")
    for i, item in enumerate(items, 1):
        span = tables["transfer"][i - 1] if i - 1 < len(tables["transfer"]) else None
        transfers.append(_toml_transfer(item, i, span, lines, path))

    return _make_scenario(header, merges, transfers, path, "toml", key_lines)


def _typename(t) -> str:
    names = {str: "a string in quotes", list: "a list [...]", bool: "true or false", _dt.date: "a date",
             int: "a number", float: "a number", dict: "a table"}
    if isinstance(t, tuple):
        return " or ".join(names.get(x, x.__name__) for x in t)
    return names.get(t, getattr(t, "__name__", str(t)))


def _close(word: str, choices) -> str:
    import difflib

    near = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean {near[0]!r}?)" if near else ""


def _check_keys(item: dict, allowed: dict, label: str, span, lines, path: Path) -> None:
    if not isinstance(item, dict):
        raise _fail(f"{path}:{span[0] if span else '?'}", f"{label}: must be a table of keys")
    for key, val in item.items():
        line = _find_key(lines, span, key)
        if key not in allowed:
            raise _fail(f"{path}:{line}", f"{label}: unknown key {key!r}{_close(key, allowed)}; "
                        f"expected {', '.join(allowed)}")
        if not isinstance(val, allowed[key]):
            raise _fail(f"{path}:{line}", f"{label}: {key!r} must be {_typename(allowed[key])}, not {_typename(type(val))}")


def _code_list(values: list, label: str, key: str, span, lines, path: Path) -> tuple[tuple[str, ...], tuple]:
    out = []
    for v in values:
        if not isinstance(v, str):
            line = _find_key(lines, span, key)
            raise _fail(f"{path}:{line}", f"{label}: {key} must be codes in quotes; {v!r} is {_typename(type(v))} "
                        f"(write \"{v}\")")
        out.append(v.strip())
    line_cache: dict[str, int | None] = {}
    member_lines = []
    for c in out:
        if c not in line_cache:
            line_cache[c] = _find_line(lines, span, c)
        member_lines.append(line_cache[c])
    return tuple(out), tuple(member_lines)


def _toml_merge(item, i: int, kind: str, span, lines, path: Path) -> Merge:
    label = f"{kind} #{i}"
    _check_keys(item, _MERGE_KEYS, label, span, lines, path)
    into = str(item.get("into", "")).strip()
    if not into:
        raise _fail(f"{path}:{span[0] if span else '?'}", f"{label}: has no 'into' (the name of the {'new unit' if kind == 'merge' else 'group'})")
    label = f"{kind} #{i} {into!r}"
    members, member_lines = _code_list(item.get("members", []), label, "members", span, lines, path)
    code = str(item.get("code", "")).strip()
    return Merge(index=i, into=into, code=code or _generated(into, members), members=members, kind=kind, code_given=bool(code),
                 line=span[0] if span else None, member_lines=member_lines, note=item.get("note", ""),
                 confidence=item.get("confidence", ""))


def _toml_transfer(item, i: int, span, lines, path: Path) -> Transfer:
    label = f"transfer #{i}"
    _check_keys(item, _TRANSFER_KEYS, label, span, lines, path)
    for req in ("from", "to", "blocks"):
        if req not in item:
            raise _fail(f"{path}:{span[0] if span else '?'}", f"{label}: has no {req!r}; a transfer needs from, to and blocks")
    blocks, block_lines = _code_list(item["blocks"], label, "blocks", span, lines, path)
    return Transfer(index=i, from_=item["from"].strip(), to=item["to"].strip(), blocks=blocks,
                    via=item.get("via", "").strip(), clip=bool(item.get("clip", False)),
                    to_name=item.get("to_name", "").strip(), line=span[0] if span else None, block_lines=block_lines,
                    note=item.get("note", ""), confidence=item.get("confidence", ""))
