"""Reading scenario files (TOML or CSV) into a :class:`Scenario`: syntax and schema, no boundary data.

A scenario names the layer it changes and lists changes to it. The schema is documented for users in
``scenarios/README.md``; in short::

    name = "ICB mergers, April 2026"          # required
    layer = "icb-2022"                        # required: catalogue id (or a boundary file) it changes
    description = "..."  effective = 2026-04-01  source = ["https://..."]  confidence = "high"
    against = ["ltla-2021", "pfa-2020"]       # optional: default partner layers to compare with
    defines = "met-bcu-2019"                  # optional: the file defines a NEW layer by [[group]]s
    ungrouped = "drop"                        # with defines: units in no group are dropped ("keep" keeps them)

    [[transfer]]                              # applied first, in file order
    from = "E54000023"  to = "E54000026"  blocks = ["E38000117"]  via = "sicbl-2022"  clip = false
    [[merge]]                                 # then merges (or [[group]]s, never both in one file)
    into = "Essex ICB"  code = "E54000064"  members = ["E54000026"]

CSV files hold simple merge lists: a header row with ``new_unit,member_code`` and optionally
``new_code`` (other columns, e.g. ``member_name``, are ignored); the layer comes from a
``# layer: <id>`` comment line or from the ``layer=`` argument (``--layer`` in the CLI). Other
header comments (``# name:``, ``# source:``, ``# defines:``...) fill the same fields as in TOML.

Every error is a :class:`coterm.errors.ScenarioError` whose message starts with ``file:line:`` and
names the change and the code at fault. Files may have CRLF line endings and a UTF-8 BOM.
"""

from __future__ import annotations

import csv
import datetime as _dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ScenarioError

__all__ = ["Scenario", "Merge", "Transfer", "read_scenario", "parse_scenario_text", "slug", "CONFIDENCE_LEVELS"]

CONFIDENCE_LEVELS = ("high", "medium-high", "medium", "low-medium", "low")
_HEADER_KEYS = {
    "name": str, "layer": str, "description": str, "effective": (str, _dt.date), "source": (str, list),
    "confidence": str, "against": list, "defines": str, "title": str, "ungrouped": str, "notes": (str, list),
    "kind": str, "family": str,
}
_MERGE_KEYS = {"into": str, "code": str, "members": list, "note": str, "confidence": str}
_TRANSFER_KEYS = {"from": str, "to": str, "blocks": list, "via": str, "clip": bool, "to_name": str, "note": str,
                  "confidence": str}
_CHANGE_TABLES = ("merge", "group", "transfer")


@dataclass(frozen=True)
class Merge:
    """Units of the layer merged into one (``kind`` "merge"), or grouped into a unit of a new layer ("group")."""

    index: int                      # 1-based, in file order among changes of the same kind
    into: str                       # name of the resulting unit
    code: str                       # code of the resulting unit (given, or generated from ``into``)
    members: tuple[str, ...]
    kind: str = "merge"
    code_given: bool = False
    line: int | None = None
    member_lines: tuple[int | None, ...] = ()
    note: str = ""
    confidence: str = ""

    @property
    def label(self) -> str:
        return f"{self.kind} #{self.index} {self.into!r}"

    def line_of(self, member: str) -> int | None:
        try:
            i = self.members.index(member)
        except ValueError:
            return self.line
        return self.member_lines[i] if i < len(self.member_lines) and self.member_lines[i] else self.line


@dataclass(frozen=True)
class Transfer:
    """Building blocks moved from one unit to another (or to a new unit, named by ``to_name``).

    Blocks are atom codes of the layer's base (LSOAs) or, with ``via``, units of another layer
    built from the same atoms (sub-ICB locations, districts). With ``clip`` only the part of each
    block lying in ``from`` moves; otherwise every atom of each block must lie in ``from``.
    """

    index: int
    from_: str
    to: str
    blocks: tuple[str, ...]
    via: str = ""
    clip: bool = False
    to_name: str = ""
    line: int | None = None
    block_lines: tuple[int | None, ...] = ()
    note: str = ""
    confidence: str = ""

    kind = "transfer"

    @property
    def label(self) -> str:
        return f"transfer #{self.index} ({self.from_} → {self.to})"

    def line_of(self, block: str) -> int | None:
        try:
            i = self.blocks.index(block)
        except ValueError:
            return self.line
        return self.block_lines[i] if i < len(self.block_lines) and self.block_lines[i] else self.line


@dataclass(frozen=True)
class Scenario:
    """A parsed scenario file. See the module docstring and ``scenarios/README.md`` for the schema."""

    name: str
    layer: str
    description: str = ""
    effective: str = ""
    source: tuple[str, ...] = ()
    confidence: str = ""
    against: tuple[str, ...] = ()
    defines: str = ""
    title: str = ""
    ungrouped: str = "keep"
    notes: tuple[str, ...] = ()
    kind: str = ""
    family: str = ""
    merges: tuple[Merge, ...] = ()
    transfers: tuple[Transfer, ...] = ()
    path: Path | None = None
    format: str = "toml"
    key_lines: dict = field(default_factory=dict, compare=False, repr=False)

    # --- convenience -------------------------------------------------------------------------
    @property
    def id(self) -> str:
        """Short identifier: the file stem, else a slug of the name."""
        return self.path.stem if self.path is not None else slug(self.name)

    @property
    def file(self) -> str:
        return str(self.path) if self.path is not None else "<scenario>"

    @property
    def is_group(self) -> bool:
        """True when the file defines a new layer by grouping units of ``layer``."""
        return bool(self.defines)

    @property
    def drops_ungrouped(self) -> bool:
        return self.is_group and self.ungrouped == "drop"

    @property
    def result_layer_id(self) -> str:
        return self.defines or f"{self.layer}+{self.id}"

    def where(self, line: int | None = None, key: str | None = None) -> str:
        """``file:line`` prefix for messages."""
        if line is None and key is not None:
            line = self.key_lines.get(key)
        return f"{self.file}:{line}" if line else self.file

    def header(self) -> dict:
        """The header fields as plain JSON-able values."""
        return {
            "id": self.id, "name": self.name, "layer": self.layer, "description": self.description,
            "effective": self.effective, "source": list(self.source), "confidence": self.confidence,
            "against": list(self.against), "defines": self.defines or None, "title": self.title or None,
            "ungrouped": self.ungrouped if self.is_group else None, "notes": list(self.notes),
            "kind": self.kind or None, "family": self.family or None,
            "merges": len(self.merges), "transfers": len(self.transfers),
            "file": str(self.path) if self.path is not None else None,
        }


# --- helpers ---------------------------------------------------------------------------------------


def slug(text: str) -> str:
    """A code-like identifier from a name: ``"Essex ICB"`` → ``"essex-icb"``."""
    s = re.sub(r"[^0-9a-z]+", "-", str(text).casefold()).strip("-")
    return s or "unit"


def _generated(into: str, members) -> str:
    """A code for a merge without one: the slug of its name (never one of its members)."""
    code = slug(into)
    return code if code not in set(members) else f"{code}-merged"


def _fail(where: str, msg: str) -> ScenarioError:
    return ScenarioError(f"{where}: {msg}")


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
        sc = _parse_csv(text, path, layer)
    else:
        sc = _parse_toml(text, path)
        if layer is not None and layer != sc.layer:
            raise _fail(sc.where(key="layer"), f"the file changes layer {sc.layer!r} but {layer!r} was asked for; "
                        "drop --layer or fix the file's `layer`")
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


def _make_scenario(header: dict, merges, transfers, path: Path, fmt: str, key_lines: dict) -> Scenario:
    def as_tuple(v):
        if v is None:
            return ()
        return (v,) if isinstance(v, str) else tuple(v)

    eff = header.get("effective", "")
    ungrouped = str(header.get("ungrouped", "drop" if header.get("defines") else "keep")).strip()
    if ungrouped not in ("drop", "keep"):
        raise _fail(f"{path}:{key_lines.get('ungrouped', '?')}", f"'ungrouped' must be \"drop\" or \"keep\", not {ungrouped!r}")
    conf = str(header.get("confidence", "")).strip()
    if conf and not any(conf.casefold().startswith(level) for level in ("high", "medium", "low")):
        raise _fail(f"{path}:{key_lines.get('confidence', '?')}", f"'confidence' must start with high, medium or low "
                    f"(e.g. \"medium: Frimley split inferred\"), not {conf!r}")
    return Scenario(
        name=str(header["name"]).strip(), layer=str(header["layer"]).strip(),
        description=str(header.get("description", "")).strip(),
        effective=eff.isoformat() if isinstance(eff, _dt.date) else str(eff).strip(),
        source=as_tuple(header.get("source")), confidence=conf, against=as_tuple(header.get("against")),
        defines=str(header.get("defines", "")).strip(), title=str(header.get("title", "")).strip(),
        ungrouped=ungrouped, notes=as_tuple(header.get("notes")), kind=str(header.get("kind", "")).strip(),
        family=str(header.get("family", "")).strip(), merges=tuple(merges), transfers=tuple(transfers),
        path=path, format=fmt, key_lines=key_lines,
    )


# --- CSV -------------------------------------------------------------------------------------------


_COMMENT_KEY_RE = re.compile(r"^#\s*([A-Za-z_]+)\s*:\s*(.*?)\s*$")
_CSV_LIST_KEYS = {"source", "against", "notes"}


def _parse_csv(text: str, path: Path, layer: str | None) -> Scenario:
    lines = text.split("\n")
    header: dict = {}
    key_lines: dict[str, int] = {}
    data_lines: list[tuple[int, str]] = []
    for i, line in enumerate(lines, 1):
        s = line.strip()
        if s.startswith("#"):
            m = _COMMENT_KEY_RE.match(s)
            if m and m.group(1).lower() in _HEADER_KEYS:
                key = m.group(1).lower()
                val = m.group(2)
                if key in _CSV_LIST_KEYS:
                    header.setdefault(key, []).extend(v.strip() for v in val.split(";") if v.strip())
                elif key in header:
                    raise _fail(f"{path}:{i}", f"duplicate '# {key}:' line (first on line {key_lines[key]}); keep one")
                else:
                    header[key] = val
                key_lines.setdefault(key, i)
            continue
        if not s:
            continue
        data_lines.append((i, line))
    if layer is not None:
        if "layer" in header and header["layer"] != layer:
            raise _fail(f"{path}:{key_lines['layer']}", f"the file says '# layer: {header['layer']}' but {layer!r} was "
                        "asked for; drop --layer or fix the comment line")
        header["layer"] = layer
    if not header.get("layer"):
        raise _fail(str(path), "a CSV scenario must name its layer: add a line '# layer: <id>' (e.g. # layer: ltla-2021) "
                    "or pass --layer")
    header.setdefault("name", path.stem)
    if not data_lines:
        raise _fail(str(path), "no header row; the first line must be new_unit,member_code[,new_code]")

    rows: list[tuple[int, list[str]]] = []
    current = [0]

    def feed():
        for n, line in data_lines:
            current[0] = n
            yield line

    reader = csv.reader(feed(), strict=True, skipinitialspace=False)
    try:
        for rec in reader:
            rows.append((current[0], rec))
    except csv.Error as exc:
        raise _fail(f"{path}:{current[0]}", f"CSV syntax error: {exc}; check quotes (a field with a comma needs \"...\")") from None

    head_line, head = rows[0]
    cols = [c.strip().lower() for c in head]
    for req in ("new_unit", "member_code"):
        if req not in cols:
            raise _fail(f"{path}:{head_line}", f"the header row must have columns new_unit,member_code[,new_code]; "
                        f"found {','.join(head)}")
    dup = sorted({c for c in cols if cols.count(c) > 1 and c})
    if dup:
        raise _fail(f"{path}:{head_line}", f"duplicate column {dup[0]!r} in the header row")
    iu, im = cols.index("new_unit"), cols.index("member_code")
    ic = cols.index("new_code") if "new_code" in cols else None

    order: list[str] = []
    groups: dict[str, dict] = {}
    for n, rec in rows[1:]:
        need = max(iu, im) + 1
        if len(cols) >= len(rec) >= need:
            rec = rec + [""] * (len(cols) - len(rec))
        if len(rec) != len(cols):
            raise _fail(f"{path}:{n}", f"expected {len(cols)} fields ({','.join(cols)}), found {len(rec)}; "
                        "quote fields that contain commas")
        unit = rec[iu].strip()
        member = rec[im].strip()
        code = rec[ic].strip() if ic is not None else ""
        if not unit:
            raise _fail(f"{path}:{n}", f"empty new_unit for member {member!r}; every row needs the new unit's name")
        g = groups.get(unit)
        if g is None:
            g = groups[unit] = {"line": n, "members": [], "lines": [], "code": code, "code_line": n}
            order.append(unit)
        elif code and g["code"] and code != g["code"]:
            raise _fail(f"{path}:{n}", f"merge {unit!r}: new_code {code!r} differs from {g['code']!r} given on line "
                        f"{g['code_line']}; one code per new unit")
        elif code and not g["code"]:
            g["code"], g["code_line"] = code, n
        if member:
            g["members"].append(member)
            g["lines"].append(n)
    kind = "group" if header.get("defines") else "merge"
    merges = [
        Merge(index=i, into=u, code=groups[u]["code"] or _generated(u, groups[u]["members"]), members=tuple(groups[u]["members"]), kind=kind,
              code_given=bool(groups[u]["code"]), line=groups[u]["line"], member_lines=tuple(groups[u]["lines"]))
        for i, u in enumerate(order, 1)
    ]
    return _make_scenario(header, merges, [], path, "csv", key_lines)


# --- structural checks (no data needed) ------------------------------------------------------------


def _check_structure(sc: Scenario) -> None:
    """Errors visible without boundary data. Vectorised over members (10,000 merges are fine)."""
    import pandas as pd

    if not sc.merges and not sc.transfers and sc.is_group:
        raise _fail(sc.where(key="defines"), f"defines layer {sc.defines!r} but has no [[group]]")
    for m in sc.merges:
        if not m.members:
            raise _fail(sc.where(m.line), f"{m.label}: empty {m.kind}: list the codes of its members")
    for t in sc.transfers:
        if not t.blocks:
            raise _fail(sc.where(t.line), f"{t.label}: empty transfer: list the blocks to move")
        if t.from_ == t.to:
            raise _fail(sc.where(t.line), f"{t.label}: transfer references itself: from and to are both {t.to}")
        dup = pd.Index(t.blocks)
        dup = dup[dup.duplicated()]
        if len(dup):
            raise _fail(sc.where(t.line_of(dup[0])), f"{t.label}: block {dup[0]} is listed twice")
    if not sc.merges:
        return
    n = [len(m.members) for m in sc.merges]
    df = pd.DataFrame({
        "merge": pd.Series(range(len(sc.merges))).repeat(n).to_numpy(),
        "code": [c for m in sc.merges for c in m.members],
    })
    # a merge whose new code is one of its own members
    new_codes = pd.Series([m.code if m.code_given else None for m in sc.merges], dtype=object)
    self_ref = df[df["code"].to_numpy() == new_codes.to_numpy()[df["merge"].to_numpy()]]
    if len(self_ref):
        m = sc.merges[int(self_ref["merge"].iloc[0])]
        raise _fail(sc.where(m.line_of(m.code)), f"{m.label}: references itself: its new code {m.code} is also one of "
                    f"its members; give the {m.kind} a new code (or omit `code`)")
    # the same unit twice in one merge
    twice = df[df.duplicated(["merge", "code"])]
    if len(twice):
        m = sc.merges[int(twice["merge"].iloc[0])]
        c = twice["code"].iloc[0]
        raise _fail(sc.where(m.line_of(c)), f"{m.label}: lists {c} twice; remove the repeat")
    # a unit in two merges
    multi = df[df.duplicated("code", keep=False)]
    if len(multi):
        c = multi["code"].iloc[0]
        which = multi.loc[multi["code"] == c, "merge"].tolist()
        first, second = sc.merges[which[0]], sc.merges[which[1]]
        raise _fail(sc.where(second.line_of(c)), f"{second.label}: unit {c} is already in {first.label} "
                    f"(line {first.line_of(c)}); a unit can be in one {second.kind} only")
    # duplicate names / codes of the resulting units
    for attr, what in (("code", "code"), ("into", "name")):
        vals = pd.Series([getattr(m, attr).casefold() for m in sc.merges])
        d = vals[vals.duplicated()]
        if len(d):
            j = int(d.index[0])
            i = int(vals[vals == d.iloc[0]].index[0])
            m, first = sc.merges[j], sc.merges[i]
            raise _fail(sc.where(m.line), f"{m.label}: same new {what} {getattr(m, attr)!r} as {first.label} "
                        f"(line {first.line}); merge them into one {m.kind} or rename one")
