"""Reading scenario files (TOML or CSV) into a :class:`~coterm.scenarios.model.Scenario`: syntax and
schema, no boundary data. TOML is read with :mod:`tomllib`; its positions (which tomllib does not
give) come from a line locator over the file's text, so every error starts with ``file:line:`` and
names the change and the code at fault. Files may have CRLF line endings and a UTF-8 BOM.
CSV files are read by :mod:`coterm.scenarios.read_csv`.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from ..errors import ScenarioError
from .model import Merge, Scenario, Transfer, _check_structure, _fail, _generated, _make_scenario
from .schema import CHANGE_TABLES, HEADER_KEYS, MergeDoc, SchemaProblem, TransferDoc, validate

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
    tables: dict[str, list[tuple[int, int]]] = {k: [] for k in CHANGE_TABLES}
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

    try:
        doc = validate(raw)
    except SchemaProblem as p:
        raise _schema_error(p, raw, path, lines, tables, key_lines) from None
    header = {k: getattr(doc, k) for k in HEADER_KEYS if k in raw}
    for req in ("name", "layer"):
        if not str(header.get(req, "")).strip():
            raise _fail(str(path), f"the header has no {req!r}; add e.g. {req} = \"...\" before the first [[merge]]")
    if "merge" in raw and "group" in raw:
        line = tables["group"][0][0] if tables["group"] else None
        raise _fail(where(line), "a file either changes a layer ([[merge]]) or defines a new one ([[group]]); "
                    "split it into two files")
    if "group" in raw and not doc.defines:
        line = tables["group"][0][0] if tables["group"] else None
        raise _fail(where(line), "[[group]] defines a new layer: add defines = \"<new-layer-id>\" to the header "
                    "(or use [[merge]] to change the layer itself)")
    if doc.defines and "merge" in raw:
        raise _fail(where(key_lines.get("defines")), "`defines` makes a new layer from [[group]]s; "
                    "rename the [[merge]] tables to [[group]]")

    def span_of(kind, i):
        spans = tables[kind]
        return spans[i - 1] if i - 1 < len(spans) else None

    merges = [_merge(item, i, kind, span_of(kind, i), lines, path)
              for kind in ("merge", "group") for i, item in enumerate(getattr(doc, kind), 1)]
    transfers = [_transfer(item, i, span_of("transfer", i), lines, path) for i, item in enumerate(doc.transfer, 1)]
    return _make_scenario(header, merges, transfers, path, "toml", key_lines)


def _schema_error(p: SchemaProblem, raw: dict, path: Path, lines, tables, key_lines) -> ScenarioError:
    """A :class:`SchemaProblem` as ``file:line: <change label>: <what>``."""
    if p.kind is None or p.index is None:
        line = key_lines.get(p.key) if p.key else None
        return _fail(f"{path}:{line}" if line else str(path), p.text)
    spans = tables[p.kind]
    span = spans[p.index - 1] if p.index - 1 < len(spans) else None
    label = f"{p.kind} #{p.index}"
    item = raw[p.kind][p.index - 1] if isinstance(raw.get(p.kind), list) and p.index - 1 < len(raw[p.kind]) else None
    if p.element is not None and isinstance(item, dict) and isinstance(item.get("into"), str) and item["into"].strip():
        label += f" {item['into'].strip()!r}"  # a code-list error comes after the table's keys were read
    line = _find_key(lines, span, p.key) if p.key else (span[0] if span else None)
    return _fail(f"{path}:{line if line else '?'}", f"{label}: {p.text}")


def _code_lines(codes: tuple[str, ...], span, lines) -> tuple:
    line_cache: dict[str, int | None] = {}
    for c in codes:
        if c not in line_cache:
            line_cache[c] = _find_line(lines, span, c)
    return tuple(line_cache[c] for c in codes)


def _merge(item: MergeDoc, i: int, kind: str, span, lines, path: Path) -> Merge:
    into = item.into.strip()
    if not into:
        raise _fail(f"{path}:{span[0] if span else '?'}", f"{kind} #{i}: has no 'into' (the name of the "
                    f"{'new unit' if kind == 'merge' else 'group'})")
    members = tuple(v.strip() for v in item.members)
    code = item.code.strip()
    return Merge(index=i, into=into, code=code or _generated(into, members), members=members, kind=kind, code_given=bool(code),
                 line=span[0] if span else None, member_lines=_code_lines(members, span, lines), note=item.note,
                 confidence=item.confidence)


def _transfer(item: TransferDoc, i: int, span, lines, path: Path) -> Transfer:
    blocks = tuple(v.strip() for v in item.blocks)
    return Transfer(index=i, from_=item.from_.strip(), to=item.to.strip(), blocks=blocks, via=item.via.strip(),
                    clip=item.clip, to_name=item.to_name.strip(), line=span[0] if span else None,
                    block_lines=_code_lines(blocks, span, lines), note=item.note, confidence=item.confidence)
