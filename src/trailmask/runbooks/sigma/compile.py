"""A pySigma condition tree as one SQL predicate over ``events`` (DuckDB dialect, standard functions).

Sigma semantics kept: string matches are case-insensitive unless the ``cased`` modifier is used;
``*``/``?`` wildcards (from ``contains``/``startswith``/``endswith`` or written in the value) are
LIKE patterns; ``re`` is a regular-expression search; ``null`` means absent or null; ``all`` joins
values with AND (pySigma has already expanded it); ``cidr`` (IPv4) is octet-aligned address
prefixes; every leaf is NULL-safe so ``not`` matches
events that lack the field. Values become SQL string literals with quotes doubled: they are part
of the rule, not caller input (callers' values are only ever bound parameters).
"""

from __future__ import annotations

import re
from ipaddress import IPv4Network
from typing import Any

from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.types import (
    SigmaBool,
    SigmaCasedString,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaExists,
    SigmaExpansion,
    SigmaFieldReference,
    SigmaNull,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaRegularExpressionFlag,
    SigmaString,
    SpecialChars,
)

from trailmask.runbooks.sigma.fields import Operand, Unsupported, resolve

_RE2_UNSUPPORTED = re.compile(r"\(\?[=!<>]|\\[1-9]|[*+?}]\+")
MAX_CIDR_PATTERNS = 256  # a /16 split at /17../24 boundaries stays far below; /25../31 expand to addresses
_COMPARE = {"LT": "<", "LTE": "<=", "GT": ">", "GTE": ">="}
_INLINE_FLAGS = {
    SigmaRegularExpressionFlag.IGNORECASE: "i",
    SigmaRegularExpressionFlag.MULTILINE: "m",
    SigmaRegularExpressionFlag.DOTALL: "s",
}


def literal(text: str) -> str:
    """A SQL string literal (single quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _string(operand: Operand, value: SigmaString) -> str:
    if value.contains_placeholder():
        names = ", ".join(f"%{p.name}%" for p in value.s if hasattr(p, "name"))
        raise Unsupported(f"placeholder {names} needs a value list from your environment")
    cased = isinstance(value, SigmaCasedString)
    parts = list(value.s)

    def norm(text: str) -> str:
        return text if cased else text.lower()

    def target(v: str) -> str:
        return v if cased else f"lower({v})"

    plain = [p for p in parts if isinstance(p, str)]
    specials = [p for p in parts if not isinstance(p, str)]
    if not specials:
        return operand.test(lambda v: f"{target(v)} = {literal(norm(''.join(plain)))}")
    if all(p == SpecialChars.WILDCARD_MULTI for p in parts):
        return operand.test(lambda v: f"{v} IS NOT NULL")
    multi = SpecialChars.WILDCARD_MULTI
    head, tail = parts[0], parts[-1]
    middle = parts[1] if len(parts) == 3 else None
    if len(parts) == 3 and head == tail == multi and isinstance(middle, str):
        needle = literal(norm(middle))
        return operand.test(lambda v: f"contains({target(v)}, {needle})")
    if len(parts) == 2 and tail == multi and isinstance(head, str):
        prefix = literal(norm(head))
        return operand.test(lambda v: f"starts_with({target(v)}, {prefix})")
    if len(parts) == 2 and head == multi and isinstance(tail, str):
        suffix = literal(norm(tail))
        return operand.test(lambda v: f"ends_with({target(v)}, {suffix})")
    pattern = "".join(
        _like_escape(norm(p)) if isinstance(p, str) else ("%" if p == SpecialChars.WILDCARD_MULTI else "_")
        for p in parts
    )
    return operand.test(lambda v: f"{target(v)} LIKE {literal(pattern)} ESCAPE '\\'")


def _regex(operand: Operand, value: SigmaRegularExpression) -> str:
    pattern = str(value.regexp)
    if _RE2_UNSUPPORTED.search(pattern):
        raise Unsupported("regular expression uses look-around, back-references or possessive quantifiers (not RE2)")
    flags = "".join(sorted(_INLINE_FLAGS[f] for f in value.flags if f in _INLINE_FLAGS))
    full = f"(?{flags}){pattern}" if flags else pattern
    return operand.test(lambda v: f"regexp_matches({v}, {literal(full)})")


def _cidr(operand: Operand, field: str, value: SigmaCIDRExpression) -> str:
    """An IPv4 network as text tests on the dotted address: pySigma's octet-aligned expansion
    (``10.0.0.0/8`` is the prefix ``10.``; ``192.168.1.0/25`` is 128 addresses). Prefixes of /24 or
    shorter also match a role's /24-truncated view (``10.1.2.xxx``). IPv6 is refused: CloudTrail
    writes compressed addresses (``2001:db8::1``), so a text prefix would miss some of the network."""
    if not isinstance(value.network, IPv4Network):
        raise Unsupported(f"the cidr modifier on '{field}' with an IPv6 network ({value.network}) is not compiled")
    patterns = value.expand(wildcard="*")
    if len(patterns) > MAX_CIDR_PATTERNS:
        raise Unsupported(f"the cidr network {value.network} on '{field}' expands to {len(patterns)} address tests")
    if patterns == ["*"]:
        return operand.test(lambda v: f"regexp_matches({v}, '^[0-9]{{1,3}}(\\.[0-9]{{1,3}}){{3}}$')")
    prefixes = [literal(p[:-1]) for p in patterns if p.endswith("*")]
    exact = [literal(p) for p in patterns if not p.endswith("*")]

    def test(v: str) -> str:
        tests = [f"starts_with({v}, {p})" for p in prefixes]
        if exact:
            tests.append(f"{v} IN ({', '.join(exact)})")
        return "(" + " OR ".join(tests) + ")"

    return operand.test(test)


def _field_reference(operand: Operand, value: SigmaFieldReference) -> str:
    other = resolve(value.field)
    if other.many:
        raise Unsupported(f"fieldref to '{value.field}', a list-valued field")
    if value.starts_with or value.ends_with:
        function = "starts_with" if value.starts_with else "ends_with"
        return operand.test(lambda v: f"{function}(lower({v}), lower({other.sql}))")
    return operand.test(lambda v: f"lower({v}) = lower({other.sql})")


def _null(operand: Operand) -> str:
    if operand.many:
        return f"coalesce(len(list_filter({operand.sql}, lambda v: v IS NOT NULL)) = 0, true)"
    return f"({operand.sql} IS NULL)"


def _value(operand: Operand, field: str, value: Any) -> str:
    if isinstance(value, SigmaExpansion):
        return "(" + " OR ".join(_value(operand, field, v) for v in value.values) + ")"
    if isinstance(value, SigmaString):
        return _string(operand, value)
    if isinstance(value, SigmaNull):
        return _null(operand)
    if isinstance(value, SigmaExists):
        return f"NOT {_null(operand)}" if value.exists else _null(operand)
    if isinstance(value, SigmaRegularExpression):
        return _regex(operand, value)
    if isinstance(value, SigmaFieldReference):
        return _field_reference(operand, value)
    if isinstance(value, SigmaBool):
        return operand.test(lambda v: f"lower({v}) = {literal('true' if value.boolean else 'false')}")
    if isinstance(value, SigmaNumber):
        return operand.test(lambda v: f"{v} = {literal(str(value.number))}")
    if isinstance(value, SigmaCompareExpression):
        op = _COMPARE[value.op.name]
        return operand.test(lambda v: f"TRY_CAST({v} AS DOUBLE) {op} {float(value.number.number)!r}")
    if isinstance(value, SigmaCIDRExpression):
        return _cidr(operand, field, value)
    raise Unsupported(f"value type {type(value).__name__} on '{field}' is not supported")


def _plain_value(node: Any) -> str | None:
    """The text of a case-insensitive, wildcard-free string comparison, else None."""
    if not isinstance(node, ConditionFieldEqualsValueExpression):
        return None
    value = node.value
    if not isinstance(value, SigmaString) or isinstance(value, SigmaCasedString):
        return None
    parts = list(value.s)
    return "".join(parts) if all(isinstance(p, str) for p in parts) else None  # type: ignore[arg-type]


def _in_list(node: ConditionOR) -> str | None:
    """``field = a OR field = b ...`` on one scalar field as a single IN test (shorter, faster)."""
    values = [_plain_value(a) for a in node.args]
    fields = {getattr(a, "field", None) for a in node.args}
    if len(node.args) < 2 or len(fields) != 1 or any(v is None for v in values):
        return None
    operand = resolve(str(fields.pop()))
    if operand.many:
        return None
    listed = ", ".join(literal(str(v).lower()) for v in values)
    return operand.test(lambda v: f"lower({v}) IN ({listed})")


def compile_condition(node: Any) -> str:
    """SQL for one parsed pySigma condition (a tree of AND/OR/NOT over field comparisons)."""
    if isinstance(node, ConditionAND):
        return "(" + "\n    AND ".join(compile_condition(a) for a in node.args) + ")"
    if isinstance(node, ConditionOR):
        return _in_list(node) or "(" + " OR ".join(compile_condition(a) for a in node.args) + ")"
    if isinstance(node, ConditionNOT):
        return "NOT " + compile_condition(node.args[0])
    if isinstance(node, ConditionFieldEqualsValueExpression):
        if isinstance(node.value, SigmaString) and node.value.contains_placeholder():
            return _string(Operand(""), node.value)  # raises Unsupported naming the placeholder
        return _value(resolve(node.field), node.field, node.value)
    if isinstance(node, ConditionValueExpression):
        raise Unsupported("keyword search (a value without a field) cannot be compiled to a column test")
    raise Unsupported(f"condition element {type(node).__name__} is not supported")
