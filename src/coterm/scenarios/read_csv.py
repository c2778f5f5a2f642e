"""CSV scenario files: simple merge lists.

A header row with ``new_unit,member_code`` and optionally ``new_code`` (other columns, e.g.
``member_name``, are ignored). The layer comes from a ``# layer: <id>`` comment line or from the
``layer=`` argument (``coterm scenario run FILE.csv --layer ID``). Other header comments
(``# name:``, ``# source:``, ``# defines:``...) fill the same fields as in TOML.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from .model import Merge, Scenario, _fail, _generated, _make_scenario
from .schema import HEADER_KEYS

__all__: list[str] = []

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
            if m and m.group(1).lower() in HEADER_KEYS:
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
                        "given as its layer; leave that out or fix the comment line")
        header["layer"] = layer
    if not header.get("layer"):
        raise _fail(str(path), "a CSV scenario must name its layer: add a line '# layer: <id>' (e.g. # layer: ltla-2021) "
                    "or give it (CLI: coterm scenario run FILE --base ID; Python: layer=ID)")
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

