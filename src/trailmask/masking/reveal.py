"""Reveal: from a pseudonym token back to the raw value, for a role allowed to (audited by the service).

A keyed pseudonym cannot be inverted, only matched: :func:`reveal` hashes candidate raw values
with the key and keeps those whose digest equals the token's. It is a pure function of
(token, candidates, key). The candidates come from the store: :func:`candidates_sql` lists the
distinct raw values of every field (and ARN part) that pseudonymises into a class, and
:func:`reveal_sql` does the matching inside the engine for large stores (the key is the session
value ``tm_mask_key.k``, as in masked queries, and the digest a bound parameter ``$digest``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from trailmask.errors import UsageError
from trailmask.masking.compiler import KEY_COLUMN, KEY_TABLE, RAW_ALIAS, RAW_TABLE, key_expression, row_filter
from trailmask.masking.model import Operator, Policy
from trailmask.masking.operators import _ARN_ACCOUNT, _ARN_KIND, _ARN_RESOURCE, keyed_digest_py, option
from trailmask.schema import INTERNAL_COLUMNS, iter_leaves
from trailmask.sqlkit import expr as sx
from trailmask.sqlkit.expr import Expr
from trailmask.sqlkit.render import to_sql

TOKEN = re.compile(r"^(?P<prefix>[a-z][a-z0-9]{0,11})_(?:(?P<kept>[A-Za-z0-9]{1,4})_)?(?P<digest>[0-9a-f]{8,64})$")
# Inside ARNs, the account is masked as an account_id and each ``/`` segment of the names as a
# principal name, exactly as masking.operators.arn splits them (its patterns, so the two agree).
_SEGMENT = "[^/]+"


@dataclass(frozen=True)
class Candidate:
    """A raw value and the class (hash namespace) it would be pseudonymised as."""

    cls: str
    value: str


@dataclass(frozen=True)
class Token:
    prefix: str
    kept: str
    digest: str


def parse_token(token: str) -> Token | None:
    """``user_3f9a1c2b7d4e``, ``key_AKIA_3f9a1c2b7d4e``, or None if it is not a pseudonym."""
    match = TOKEN.match(token.strip())
    if not match:
        return None
    return Token(match["prefix"], match["kept"] or "", match["digest"])


def _hashes_with(operator: Operator, prefix: str) -> int | None:
    """The digest length of the tokens ``operator`` writes with ``prefix``, or None if it writes none."""
    if operator.name == "pseudonym" and option(operator, "prefix") == prefix:
        return int(option(operator, "length"))
    if operator.name == "arn" and option(operator, "names") == "pseudonym" and prefix == "name":
        return int(option(Operator("pseudonym", {"prefix": "name"}), "length"))  # see operators._name_operator
    return None


def digest_lengths(policy: Policy, prefix: str) -> set[int]:
    """The digest lengths of the ``prefix`` tokens any role of ``policy`` writes."""
    lengths = {_hashes_with(op, prefix) for role in policy.roles.values() for op in role.operators.values()}
    return {length for length in lengths if length is not None}


def require_full_token(policy: Policy, token: Token) -> None:
    """UsageError unless ``token`` has as many hex digits as the policy's ``prefix`` tokens.

    A shortened token (``user_3f9a1c2b``) matches many more values than the policy's tokens do, so
    it would reveal values the caller was never shown.
    """
    lengths = digest_lengths(policy, token.prefix)
    if lengths and len(token.digest) not in lengths:
        expected = " or ".join(str(n) for n in sorted(lengths))
        raise UsageError(
            f"a {token.prefix}_ token has {expected} hex digits after the prefix, not {len(token.digest)}",
            hint="paste the whole token as a masked answer shows it",
        )


def reveal(token: str, candidates: Iterable[Candidate], key: str) -> list[Candidate]:
    """The candidates whose keyed digest (and kept prefix, if any) equal the token's."""
    parsed = parse_token(token)
    if parsed is None:
        return []
    found = []
    for candidate in candidates:
        if parsed.kept and not candidate.value.startswith(parsed.kept):
            continue
        if keyed_digest_py(candidate.value, candidate.cls, key, len(parsed.digest)) == parsed.digest:
            found.append(candidate)
    return sorted(set(found), key=lambda c: (c.cls, c.value))


def _rows(policy: Policy, role: str | None) -> Expr:
    """The raw rows ``role`` may see: the table, or the rows its row filter keeps."""
    table = sx.table(RAW_TABLE[1], schema=RAW_TABLE[0], alias_=RAW_ALIAS)
    rule = row_filter(policy.role(role).row_filter) if role is not None else None
    if rule is None:
        return table
    return sx.subquery(sx.select([sx.star()], table, rule), "tm_rows")


def _arn_names(value: Expr) -> Expr:
    """The names part of an ARN: its resource after the resource type (all of it for S3)."""
    resource = sx.regexp_extract(value, _ARN_RESOURCE, 1)
    kind = sx.regexp_extract(value, _ARN_KIND, 1)
    return sx.case([(sx.eq(kind, sx.lit("")), resource)], sx.substr(resource, sx.add(sx.length(kind), sx.lit(1))))


def _select(name: str, expression: Expr, source: Expr) -> Expr:
    return sx.select(
        [sx.alias(sx.lit(name), "cls"), sx.alias(sx.cast(expression, "VARCHAR"), "value")],
        source,
        sx.not_(sx.or_(sx.is_null(expression), sx.eq(sx.cast(expression, "VARCHAR"), sx.lit("")))),
    )


def _selects(cls: str, value: Expr, source: Expr) -> list[Expr]:
    """``SELECT DISTINCT cls, value`` for a field; for an ARN, its account and each ``/`` segment
    of its names (``assumed-role/ROLE/SESSION``: the role and the session, each one candidate),
    and the whole value (a value that is not an ARN is pseudonymised whole)."""
    if cls != "arn":
        return [_select(cls, value, source)]
    segments = sx.select([sx.alias(sx.unnest(sx.regexp_extract_all(_arn_names(value), _SEGMENT)), "tm_seg")], source)
    return [
        _select("account_id", sx.regexp_extract(value, _ARN_ACCOUNT, 1), source),
        _select("principal", sx.column("tm_seg", "tm_s"), sx.subquery(segments, "tm_s")),
        _select("principal", value, source),
    ]


def candidates_query(policy: Policy, classes: Iterable[str], role: str | None = None) -> Expr:
    """Distinct (cls, value) pairs of the raw store for these classes (a raw, trusted query), over
    the rows ``role`` may see (its row filter; every row when None)."""
    wanted = set(classes)
    selects: list[Expr] = []
    for leaf in iter_leaves():
        cls = policy.class_of(leaf.path)
        if cls not in wanted and not (cls == "arn" and wanted & {"account_id", "principal"}):
            continue
        if leaf.in_array:
            head, _, tail = leaf.path.partition("[].")
            value = sx.field(sx.var("tm_r"), tail)
            listed = sx.transform(sx.column(head), "tm_r", sx.cast(value, "VARCHAR"))
            rows = sx.subquery(sx.select([sx.alias(sx.unnest(listed), "tm_v")], _rows(policy, role)), "tm_u")
            selects += _selects(cls, sx.column("tm_v", "tm_u"), rows)
        else:
            parts = leaf.path.split(".")
            column = sx.column(parts[0])
            for part in parts[1:]:
                column = sx.field(column, part)
            selects += _selects(cls, column, _rows(policy, role))
    for name in INTERNAL_COLUMNS:
        if policy.class_of(name) in wanted:
            selects += _selects(policy.class_of(name), sx.column(name), _rows(policy, role))
    return sx.distinct_union(selects)


def candidates_sql(policy: Policy, classes: Iterable[str], role: str | None = None) -> str:
    return to_sql(candidates_query(policy, classes, role), "duckdb")


def reveal_sql(policy: Policy, classes: Iterable[str], digest_length: int = 12, role: str | None = None) -> str:
    """Candidates whose keyed digest equals ``$digest``, computed in the engine, among the rows
    ``role`` may see (its row filter).

    Run it in a session whose temporary tables include ``{KEY_TABLE: {KEY_COLUMN: key}}``.
    """
    value, cls = sx.column("value", "c"), sx.column("cls", "c")
    # The namespace varies per row here, so the digest is spelled out (same text as keyed_digest).
    digest = sx.substr(
        sx.sha256_hex(sx.concat(key_expression(), sx.lit(":"), cls, sx.lit(":"), value)), 1, digest_length
    )
    query = sx.select(
        [cls, value], sx.subquery(candidates_query(policy, classes, role), "c"), sx.eq(digest, sx.parameter("digest"))
    )
    return to_sql(query, "duckdb")


__all__ = [
    "KEY_COLUMN",
    "KEY_TABLE",
    "Candidate",
    "Token",
    "candidates_sql",
    "digest_lengths",
    "parse_token",
    "require_full_token",
    "reveal",
    "reveal_sql",
]
