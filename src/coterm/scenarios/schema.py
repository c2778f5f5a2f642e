"""The scenario file's schema as msgspec types: unknown keys are refused and every value's type is checked
by the library, not by hand.

tomllib gives no positions, so a validation error (msgspec names the path, e.g. ``$.merge[2].members[1]``)
is turned into coterm's one-line message with ``file:line:`` by :func:`explain`, using the line locator
of :mod:`coterm.scenarios.read`.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re

import msgspec

__all__ = ["ScenarioDoc", "MergeDoc", "TransferDoc", "validate", "HEADER_KEYS", "CHANGE_TABLES"]


class MergeDoc(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """One ``[[merge]]`` or ``[[group]]`` table."""

    into: str = ""
    code: str = ""
    members: list[str] = []
    note: str = ""
    confidence: str = ""


class TransferDoc(msgspec.Struct, forbid_unknown_fields=True, frozen=True, rename={"from_": "from"}):
    """One ``[[transfer]]`` table."""

    from_: str
    to: str
    blocks: list[str]
    via: str = ""
    clip: bool = False
    to_name: str = ""
    note: str = ""
    confidence: str = ""


class ScenarioDoc(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """A whole scenario file. ``effective`` may be a TOML date; it is read as its ISO text."""

    name: str = ""
    layer: str = ""
    description: str = ""
    effective: str = ""
    source: str | list[str] = []
    confidence: str = ""
    against: list[str] = []
    defines: str = ""
    title: str = ""
    ungrouped: str = ""
    notes: str | list[str] = []
    kind: str = ""
    family: str = ""
    merge: list[MergeDoc] = []
    group: list[MergeDoc] = []
    transfer: list[TransferDoc] = []


CHANGE_TABLES = ("merge", "group", "transfer")
HEADER_KEYS = tuple(k for k in ScenarioDoc.__struct_fields__ if k not in CHANGE_TABLES)
_FIELDS = {"merge": MergeDoc.__struct_fields__, "group": MergeDoc.__struct_fields__,
           "transfer": tuple("from" if f == "from_" else f for f in TransferDoc.__struct_fields__)}
_ERROR_RE = re.compile(r"^(?P<msg>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.S)
_STEP_RE = re.compile(r"\.([A-Za-z_][\w-]*)|\[(\d+)\]")
_TYPE_WORDS = {"str": "a string in quotes", "array": "a list [...]", "object": "a table", "bool": "true or false",
               "int": "a number", "float": "a number", "null": "nothing", "datetime": "a date and time",
               "date": "a date", "time": "a time"}


class SchemaProblem(Exception):
    """Where (``kind``, 1-based ``index``, ``key``, ``element``) and what: filled into a message by the reader."""

    def __init__(self, text: str, kind: str | None = None, index: int | None = None, key: str | None = None,
                 element: int | None = None, value=None):
        super().__init__(text)
        self.text, self.kind, self.index, self.key, self.element, self.value = text, kind, index, key, element, value


def validate(raw: dict) -> ScenarioDoc:
    """The TOML document as a :class:`ScenarioDoc`, or :class:`SchemaProblem` saying where and what."""
    if isinstance(raw.get("effective"), _dt.date):  # TOML dates: one string type keeps the union simple
        raw = {**raw, "effective": raw["effective"].isoformat()}
    try:
        return msgspec.convert(raw, ScenarioDoc)
    except msgspec.ValidationError as exc:
        raise explain(str(exc), raw) from None


def _words(t: str) -> str:
    return " or ".join(_TYPE_WORDS.get(x.strip(" `"), x.strip(" `")) for x in t.split("|"))


def _close(word: str, choices) -> str:
    near = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean {near[0]!r}?)" if near else ""


def explain(message: str, raw: dict) -> SchemaProblem:
    """msgspec's message and path as a plain-English :class:`SchemaProblem`."""
    m = _ERROR_RE.match(message)
    msg, steps = m.group("msg"), [(k, int(i) if i else None) for k, i in _STEP_RE.findall(m.group("path") or "")]
    kind = index = key = element = None
    value = raw
    for name, i in steps:
        if name:
            if kind is None and name in CHANGE_TABLES:
                kind = name
            elif key is None:
                key = name
            value = value.get(name) if isinstance(value, dict) else None
        else:
            if kind is not None and index is None and key is None:
                index = i + 1
            else:
                element = i
            value = value[i] if isinstance(value, list) and i < len(value) else None
    unknown = re.match(r"Object contains unknown field `(.+)`", msg)
    if unknown:
        bad = unknown.group(1)
        allowed = _FIELDS[kind] if kind and index is not None else HEADER_KEYS + CHANGE_TABLES
        where = "" if kind and index is not None else " in the scenario header"
        return SchemaProblem(f"unknown key {bad!r}{where}{_close(bad, allowed)}; expected {', '.join(allowed)}",
                             kind, index, bad)
    missing = re.match(r"Object missing required field `(.+)`", msg)
    if missing:
        return SchemaProblem(f"has no {missing.group(1)!r}; a transfer needs from, to and blocks", kind, index)
    expected = re.match(r"Expected `(.+?)`, got `(.+?)`", msg)
    if expected and kind and index is None and key is None:
        return SchemaProblem(f"{kind!r} must be written as [[{kind}]] tables", kind, None, kind)
    if expected and kind and key is None:
        return SchemaProblem("must be a table of keys", kind, index)
    if expected and element is not None:
        code_key = key in ("members", "blocks")
        if code_key:
            return SchemaProblem(f"{key} must be codes in quotes; {value!r} is {_words(expected.group(2))} "
                                 f"(write \"{value}\")", kind, index, key, element, value)
        return SchemaProblem(f"{key!r} must list strings; found {value!r}", kind, index, key, element, value)
    if expected and key == "effective":
        return SchemaProblem(f"'effective' must be a date (effective = 2026-04-01) or a string in quotes, "
                             f"not {_words(expected.group(2))}", kind, index, key)
    if expected:
        return SchemaProblem(f"{key!r} must be {_words(expected.group(1))}, not {_words(expected.group(2))}",
                             kind, index, key)
    return SchemaProblem(msg, kind, index, key, element, value)  # a message msgspec may add later: kept verbatim
