"""Sigma field paths (``userIdentity.type``, ``requestParameters.bucketName``) as SQL operands.

A path is resolved against the CloudTrail schema (trailmask.schema): a struct leaf becomes a
dotted column reference, an array of structs (``resources.ARN``) a list to test element-wise, and a
path below a JSON column (``requestParameters.x.y``) a ``json_extract_string`` lookup. Below JSON
we cannot know where arrays are, so a nested path is also tried with every intermediate array
expanded (``$.x[*].y``) and a value matches when any candidate does, as Sigma backends flatten
arrays. A path that names no CloudTrail field cannot be compiled: the rule is unsupported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from trailmask.schema import JSON, STRING, iter_leaves

_SAFE_KEY = re.compile(r"^[A-Za-z0-9_@:.\-]+$")


class Unsupported(ValueError):
    """The rule uses something this compiler cannot express faithfully; the message says what."""


@dataclass(frozen=True)
class Operand:
    """A text-valued SQL expression, or (``many``) a list expression whose elements are tested."""

    sql: str
    many: bool = False

    def test(self, predicate: Callable[[str], str]) -> str:
        """``predicate(value_sql)`` applied to the value (any element); the result is never NULL,
        so that ``NOT`` behaves as in Sigma (a missing field does not match, its negation does)."""
        if not self.many:
            return f"coalesce({predicate(self.sql)}, false)"
        return f"coalesce(len(list_filter({self.sql}, lambda v: {predicate('v')})) > 0, false)"


def _leaves() -> dict[str, tuple[str, str]]:
    """lower-case path -> (exact path, type); array paths keep their ``[]`` marker."""
    return {leaf.path.lower(): (leaf.path, leaf.type) for leaf in iter_leaves()}


_LEAVES = _leaves()


def _json_path(keys: list[str], expand: bool) -> str:
    for key in keys:
        if not _SAFE_KEY.match(key):
            raise Unsupported(f"JSON key {key!r} has characters this compiler does not quote")
    if not expand:
        return "$." + ".".join(f'"{k}"' for k in keys)
    return "$." + "[*].".join(f'"{k}"' for k in keys)


def _json_operand(column: str, keys: list[str]) -> Operand:
    scalar = f"json_extract_string({column}, '{_json_path(keys, False)}')"
    if len(keys) == 1:
        return Operand(scalar)
    expanded = f"json_extract_string({column}, '{_json_path(keys, True)}')"
    return Operand(f"list_concat([{scalar}], {expanded})", many=True)


def _as_text(sql: str, kind: str) -> str:
    return sql if kind == STRING else f"CAST({sql} AS VARCHAR)"


def resolve(path: str) -> Operand:
    """The operand for a Sigma field path, or Unsupported naming the field."""
    parts = path.split(".")
    if not path or any(not p for p in parts):
        raise Unsupported(f"field {path!r} is not a valid path")
    for cut in range(len(parts), 0, -1):
        prefix, rest = ".".join(parts[:cut]).lower(), parts[cut:]
        if prefix in _LEAVES:
            exact, kind = _LEAVES[prefix]
            column = exact  # names from the schema are plain identifiers
            if not rest:
                return Operand(_as_text(column, kind))
            if kind == JSON:
                return _json_operand(column, rest)
            break
        array = f"{'.'.join(parts[: cut - 1])}[].{parts[cut - 1]}".lower() if cut > 1 else ""
        if not rest and array in _LEAVES:
            exact, kind = _LEAVES[array]
            base, _, leaf = exact.partition("[].")
            return Operand(f"list_transform({base}, lambda e: {_as_text('e.' + leaf, kind)})", many=True)
    raise Unsupported(f"field '{path}' is not a CloudTrail field")
