"""Detectors for free text and JSON values, compiled to one SQL expression per value.

Each detector is a regular expression (the RE2/Java subset shared by DuckDB, Spark and Trino) and
the class whose operator masks what it finds: an ARN found in ``requestParameters`` is masked by the
role's ``arn`` operator, so it gets the same token as ``userIdentity.arn``.

How a value is scanned, in SQL (see :func:`scan`):

1. one ``regexp_extract_all`` with the alternation of every detector, in priority order (at a given
   position the first listed detector wins, so an ARN is taken whole before the account id in it);
2. the distinct matches, longest first (a match inside a longer one must not be replaced first);
3. a fold that replaces each match by its masked form, chosen by which detector fully matches it.

Candidates some detectors must confirm in SQL: card numbers (Luhn) and high-entropy tokens (upper
case, lower case and digits). JSON key rules (``"password": ...``) mask the value of a key by the
key's class; values AWS already hid (``HIDDEN_DUE_TO_SECURITY_REASONS``, ``<sensitiveDataRemoved>``)
are kept as they are. Replacements never contain quotes or backslashes, so JSON stays valid.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from trailmask.masking.model import JsonKeyRule
from trailmask.masking.operators import MaskContext, text_operator
from trailmask.sqlkit import expr as sx
from trailmask.sqlkit.expr import Expr

AWS_HIDDEN = ("HIDDEN_DUE_TO_SECURITY_REASONS", "<sensitiveDataRemoved>")
# No pattern may cross the unit separator (\x1f) that joins a row's free-text values.
_JSON_STRING = r'"(?:[^"\\\x1f]|\\.)*"'
_JSON_VALUE = (
    _JSON_STRING
    + r"|\{(?:[^{}\x1f]|\{[^{}\x1f]*\})*\}|\[(?:[^\[\]\x1f]|\[[^\[\]\x1f]*\])*\]|-?[0-9][0-9.eE+-]*|true|false|null"
)
_IPV4_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_HEX4 = r"[0-9A-Fa-f]{1,4}"
_IPV4 = rf"(?:{_IPV4_OCTET}\.){{3}}{_IPV4_OCTET}\b"


@dataclass(frozen=True)
class Detector:
    """``pattern`` finds candidates; ``confirm`` (SQL, optional) keeps only real ones."""

    name: str
    cls: str
    pattern: str
    description: str
    confirm: Callable[[Expr], Expr] | None = None
    guard: Callable[[Expr], Expr] | None = None  # cheap necessary condition, tested before the regex


def _count(value: Expr, char_class: str) -> Expr:
    return sx.sub(sx.length(value), sx.length(sx.regexp_replace(value, char_class, "")))


def _mixed(value: Expr) -> Expr:
    """Upper case, lower case and a digit: random keys have all three, words rarely do."""
    return sx.and_(sx.regexp_like(value, "[A-Z]"), sx.regexp_like(value, "[a-z]"), sx.regexp_like(value, "[0-9]"))


def _random_looking(value: Expr) -> Expr:
    """A cheap stand-in for entropy: two or more upper-case letters, lower-case letters and digits,
    and no run of five lower-case letters (which marks words: ``OpenJDK_64-Bit_Server_VM``)."""
    return sx.and_(
        sx.ge(_count(value, "[A-Z]"), sx.lit(2)),
        sx.ge(_count(value, "[a-z]"), sx.lit(2)),
        sx.ge(_count(value, "[0-9]"), sx.lit(2)),
        sx.not_(sx.regexp_like(value, "[a-z]{5}")),
    )


def _luhn(value: Expr) -> Expr:
    """The Luhn checksum of up to 19 digits in a few portable string functions.

    Digits reversed and padded to 20; odd positions as they are, even positions doubled through
    ``translate`` (0246813579 is the digit sum of 2·d); the digit sum is the length of the string
    once each digit d is replaced by d characters.
    """
    digits = sx.rpad(sx.reverse(sx.regexp_replace(value, "[^0-9]", "")), 20, "0")
    odd = sx.regexp_replace(digits, "(.).", "\\1")
    even = sx.translate(sx.regexp_replace(digits, ".(.)", "\\1"), "0123456789", "0246813579")
    unary: Expr = sx.concat_all(odd, even)
    for digit in range(10):
        unary = sx.replace(unary, sx.lit(str(digit)), sx.lit("x" * digit))
    return sx.eq(sx.mod(sx.length(unary), sx.lit(10)), sx.lit(0))


def _secret_key_shape(value: Expr) -> Expr:
    return sx.and_(sx.eq(sx.length(value), sx.lit(40)), sx.regexp_like(value, "^[A-Za-z0-9/+]{40}$"))


def _high_entropy(value: Expr) -> Expr:
    """40-character base64 with mixed case and digits (AWS secret access keys), or random-looking."""
    return sx.or_(sx.and_(_secret_key_shape(value), _mixed(value)), _random_looking(value))


DETECTORS: tuple[Detector, ...] = (
    Detector(
        "private_key", "secret",
        r"-----BEGIN [A-Z ]{0,30}PRIVATE KEY(?: BLOCK)?-----[A-Za-z0-9+/=\\ \t\r\n]*"
        r"(?:-----END [A-Z ]{0,30}PRIVATE KEY(?: BLOCK)?-----)?",
        "PEM/PGP private key blocks", guard=lambda m: sx.starts_with(m, "-----"),
    ),
    Detector(
        "jwt", "secret", r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*", "JSON Web Tokens",
        guard=lambda m: sx.starts_with(m, "eyJ"),
    ),
    Detector(
        "session_token", "secret",
        r"\b(?:IQoJb3JpZ2lu|IQoXb3JpZ2lu|AgoJb3JpZ2lu|FwoGZXIvYXdz|AQoDYXdz)[A-Za-z0-9+/=]{16,}",
        "AWS STS session tokens", guard=lambda m: sx.ge(sx.length(m), sx.lit(24)),
    ),
    Detector(
        "arn", "arn",
        r"\barn:aws(?:-[a-z]+)*:[A-Za-z0-9-]*:[A-Za-z0-9-]*:(?:[0-9]{12}|aws)?:[^\s\"'\\,;<>()\[\]{}|\x1f]+",
        "Amazon Resource Names", guard=lambda m: sx.starts_with(m, "arn:"),
    ),
    Detector(
        "email", "email", r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", "e-mail addresses",
        guard=lambda m: sx.has(m, "@"),
    ),
    Detector(
        "access_key", "access_key", r"\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{12,24}\b",
        "AWS access key ids", guard=lambda m: sx.starts_with(m, "A"),
    ),
    Detector(
        "principal_id", "principal", r"\b(?:AIDA|AROA|AGPA|AIPA|ANPA|ANVA|APKA|ASCA)[A-Z0-9]{12,24}\b",
        "IAM unique ids of users, roles, groups, policies", guard=lambda m: sx.starts_with(m, "A"),
    ),
    Detector(
        "ipv6", "ip",
        rf"\b(?:{_HEX4}:){{7}}{_HEX4}"
        rf"|\b(?:{_HEX4}:){{1,7}}:(?:(?:{_HEX4}:){{0,5}}{_IPV4}|{_HEX4}(?::{_HEX4}){{0,6}})?"
        rf"|\B::(?:(?:{_HEX4}:){{0,5}}{_IPV4}|{_HEX4}(?::{_HEX4}){{0,6}})",
        "IPv6 addresses (also ::1, ::ffff:192.0.2.1)", guard=lambda m: sx.has(m, ":"),
    ),
    Detector("ipv4", "ip", rf"\b(?:{_IPV4_OCTET}\.){{3}}{_IPV4_OCTET}\b", "IPv4 addresses",
             guard=lambda m: sx.has(m, ".")),
    Detector("card", "secret", r"\b(?:[0-9][ -]?){12,18}[0-9]\b", "payment card numbers (Luhn-checked)", _luhn,
             guard=lambda m: sx.ge(sx.length(m), sx.lit(13))),
    Detector("account_id", "account_id", r"\b[0-9]{12}\b", "12-digit AWS account ids",
             guard=lambda m: sx.eq(sx.length(m), sx.lit(12))),
    Detector(
        "kv_secret", "secret",
        r"(?i:\b(?:password|passwd|pwd|secret|token|api[_-]?key|client[_-]?secret)\s*[=:]\s*)[^\s\"'\\,;&\x1f]+",
        "key=value secrets in plain text", guard=lambda m: sx.in_(sx.lower(sx.substr(m, 1, 1)), "pstac"),
    ),
    Detector(
        "high_entropy", "secret", r"[A-Za-z0-9+/=_-]{20,}",
        "long random-looking strings (API tokens, secret access keys)", _high_entropy,
        guard=lambda m: sx.ge(sx.length(m), sx.lit(20)),
    ),
)  # fmt: skip

DETECTOR_NAMES: tuple[str, ...] = tuple(d.name for d in DETECTORS)
_PREFIXED = {"kv_secret"}  # the match is key=value: only the value is masked


def key_pattern(keys: Sequence[str], secret: bool) -> str:
    """The regex of ``"key": value`` for these key globs (``*`` = any characters; any case).

    Non-secret classes match string values only (their operators mask strings); secret keys take
    any JSON value, objects and arrays included (Lambda environment ``variables``...).
    """
    names = "|".join(r'[^"\\\x1f]*'.join(re.escape(part) for part in key.split("*")) for key in keys)
    value = _JSON_VALUE if secret else _JSON_STRING
    return rf'"(?i:{names})"\s*:\s*(?:{value})'


def _clean(value: Expr) -> Expr:
    """Replacements must never close a JSON string early (constant tokens need no cleaning)."""
    if sx.is_plain_literal(value) and not any(c in sx.literal_text(value) for c in '"\\'):
        return value
    return sx.regexp_replace(value, r'["\\]', "")


def _json_key_replacement(match: Expr, rule: JsonKeyRule, ctx: MaskContext) -> Expr:
    """``"key": value`` → ``"key":"<masked value>"``; values AWS already hid are left alone."""
    prefix = sx.regexp_extract(match, r'^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)
    value = sx.substr(match, sx.add(sx.length(prefix), sx.lit(1)))
    hidden = sx.in_(value, [f'"{marker}"' for marker in AWS_HIDDEN])
    op = ctx.role.operator_for(rule.cls)
    if op.name == "keep":
        return match
    unquoted = sx.substr(value, 2, sx.sub(sx.length(value), sx.lit(2)))
    if rule.cls == "secret":  # any JSON value: strings lose their quotes, others are masked whole
        unquoted = sx.case([(sx.regexp_like(value, '^"'), unquoted)], value)
    masked = text_operator(op, unquoted, rule.cls, ctx, label="json_key")
    assert masked is not None
    return sx.case([(hidden, match)], sx.concat_all(prefix, sx.lit('"'), _clean(masked), sx.lit('"')))


def _detector_replacement(match: Expr, detector: Detector, ctx: MaskContext) -> Expr | None:
    op = ctx.role.operator_for(detector.cls)
    if detector.name in _PREFIXED:
        prefix = sx.regexp_extract(match, r"^([^=:]*[=:]\s*)", 1)
        value = sx.substr(match, sx.add(sx.length(prefix), sx.lit(1)))
        masked = text_operator(op, value, detector.cls, ctx, label=detector.name)
        return None if masked is None else sx.concat(prefix, _clean(masked))
    label = detector.name
    if detector.name == "high_entropy":
        secret_key = _secret_key_shape(match)
        plain = text_operator(op, match, detector.cls, ctx, label=label)
        as_key = text_operator(op, match, detector.cls, ctx, label="aws_secret_key")
        if plain is None or as_key is None:
            return None
        return sx.case([(secret_key, _clean(as_key))], _clean(plain))
    masked = text_operator(op, match, detector.cls, ctx, label=label)
    return None if masked is None else _clean(masked)


@dataclass(frozen=True)
class _Alternative:
    pattern: str
    replace: Callable[[Expr], Expr | None]
    confirm: Callable[[Expr], Expr] | None = None
    guard: Callable[[Expr], Expr] | None = None


def _alternatives(rules: Sequence[JsonKeyRule], enabled: Sequence[str], ctx: MaskContext) -> list[_Alternative]:
    """JSON key rules first (in order), then the enabled detectors in their fixed priority."""
    found: list[_Alternative] = []
    for rule in rules:
        pattern = key_pattern(rule.keys, secret=rule.cls == "secret")
        replace = partial(_json_key_replacement, rule=rule, ctx=ctx)
        found.append(_Alternative(pattern, replace, guard=lambda m: sx.starts_with(m, '"')))
    for detector in DETECTORS:
        if detector.name in enabled:
            found.append(
                _Alternative(
                    detector.pattern,
                    partial(_detector_replacement, detector=detector, ctx=ctx),
                    detector.confirm,
                    detector.guard,
                )
            )
    return found


def _replacement(match: Expr, alternatives: Sequence[_Alternative]) -> Expr:
    """The first alternative that fully matches ``match`` decides how it is masked; else kept."""
    branches: list[tuple[Expr, Expr]] = []
    for alt in alternatives:
        full = sx.regexp_like(match, f"^(?:{alt.pattern})$")
        if alt.guard is not None:  # most matches fail a cheap test long before any regex runs
            full = sx.and_(alt.guard(match), full)
        masked = alt.replace(match)
        if alt.confirm is not None:
            branches.append((sx.and_(full, sx.not_(alt.confirm(match))), match))
        branches.append((full, match if masked is None else masked))
    return sx.coalesce(sx.case(branches, match), sx.lit("[REDACTED]"))


class Scanner:
    """The detectors and JSON key rules of one role, as SQL over a whole row.

    ``matches`` extracts candidates from every free-text value of a row at once (joined with the
    unit separator, which no pattern crosses); ``mapping`` turns them into ``[{m, r}]`` pairs
    (match, masked form; unchanged candidates dropped), longest first; ``apply`` rewrites one value
    with that mapping. The replacement logic therefore appears once per relation, however many
    free-text fields a query reads. Event-specific JSON key rules run first, on JSON values only
    (``prepare_json``), and only for the events they name.
    """

    def __init__(self, ctx: MaskContext, enabled: Sequence[str], rules: Sequence[JsonKeyRule]) -> None:
        self.ctx = ctx
        self.conditional = [r for r in rules if r.conditional]
        self.alternatives = _alternatives([r for r in rules if not r.conditional], enabled, ctx)

    @property
    def active(self) -> bool:
        return bool(self.alternatives)

    def matches(self, text: Expr) -> Expr:
        """Every candidate in ``text``, left to right."""
        return sx.regexp_extract_all(text, "|".join(f"(?:{alt.pattern})" for alt in self.alternatives))

    def mapping(self, matches: Expr) -> Expr:
        """``[{m, r}]``: distinct matches, longest first, with their masked forms."""
        match, pair = sx.var("tm_m"), sx.var("tm_p")
        keyed = sx.transform(matches, "tm_m", sx.concat(sx.lpad(sx.cast(sx.length(match), "VARCHAR"), 6, "0"), match))
        ordered = sx.transform(sx.sort_list_desc(sx.distinct_list(keyed)), "tm_m", sx.substr(match, 7))
        pairs = sx.transform(ordered, "tm_m", sx.struct([("m", match), ("r", _replacement(match, self.alternatives))]))
        return sx.filter_list(pairs, "tm_p", sx.not_(sx.eq(sx.field(pair, "m"), sx.field(pair, "r"))))

    def lookup(self, texts: Expr, name: str) -> list[tuple[str, Expr]]:
        """CTEs masking every distinct text of ``texts`` (a query of one column ``v``), the last
        named ``name`` with columns ``v`` (text) and ``r`` (masked text).

        Set-based, for many texts: the findings of all texts become rows, each distinct finding is
        masked once (vectorised, not inside a per-row lambda), then gathered back per text, longest
        first, and replaced. Findings repeat across texts (ARNs, accounts, addresses), so the costly
        part runs far fewer times than there are findings.
        """
        t, o, n, p = (f"{name}_{part}" for part in "tonp")
        found = sx.select([sx.column("v", t), sx.alias(sx.unnest(self.matches(sx.column("v", t))), "m")], sx.table(t))
        distinct = sx.select([sx.column("m")], sx.table(o), distinct=True)
        match = sx.column("m", "tm_q")
        masked = sx.select(
            [match, sx.alias(_replacement(match, self.alternatives), "r")], sx.subquery(distinct, "tm_q")
        )
        entry = sx.struct([("l", sx.length(sx.column("m", o))), ("m", sx.column("m", o)), ("r", sx.column("r", n))])
        changed = sx.not_(sx.eq(sx.column("m", o), sx.column("r", n)))
        pairs = sx.select(
            [sx.column("v", o), sx.alias(sx.array_agg(entry, changed), "map")],
            sx.table(o),
            joins=[(sx.table(n), sx.eq(sx.column("m", o), sx.column("m", n)))],
            group_by=[sx.column("v", o)],
        )
        text = sx.column("v", t)
        replaced = sx.coalesce(Scanner.apply(text, sx.sort_list_desc(sx.column("map", p))), text)
        final = sx.select(
            [text, sx.alias(replaced, "r")], sx.table(t), joins=[(sx.table(p), sx.eq(sx.column("v", p), text))]
        )
        return [(t, texts), (o, found), (n, masked), (p, pairs), (name, final)]

    @staticmethod
    def apply(text: Expr, mapping: Expr) -> Expr:
        """``text`` with each mapped match replaced (NULL stays NULL)."""
        pair = sx.var("tm_p")
        body = sx.replace(sx.var("tm_acc"), sx.field(pair, "m"), sx.field(pair, "r"))
        return sx.reduce_list(mapping, text, "tm_acc", "tm_p", body)

    def prepare_json(self, text: Expr, event: Mapping[str, Expr]) -> Expr:
        """A JSON value before :meth:`apply`: big bare numbers quoted, event-specific keys masked."""
        text = _quote_big_numbers(text)
        if not self.conditional:
            return text
        alternatives = _alternatives(self.conditional, (), self.ctx)
        applies = [_event_condition(rule, event) for rule in self.conditional]
        pattern = "|".join(f"(?:{alt.pattern})" for alt in alternatives)
        match = sx.var("tm_m")
        branches = [
            (sx.and_(cond, sx.regexp_like(match, f"^(?:{alt.pattern})$")), alt.replace(match) or match)
            for cond, alt in zip(applies, alternatives, strict=True)
        ]
        body = sx.replace(sx.var("tm_acc"), match, sx.coalesce(sx.case(branches, match), sx.lit("[REDACTED]")))
        masked = sx.reduce_list(sx.regexp_extract_all(text, pattern), text, "tm_acc", "tm_m", body)
        return sx.case([(sx.or_(*applies), masked)], text)


def _event_condition(rule: JsonKeyRule, event: Mapping[str, Expr]) -> Expr:
    conditions = []
    if rule.event_sources:
        conditions.append(sx.in_(event["eventSource"], rule.event_sources))
    if rule.event_names:
        conditions.append(sx.in_(event["eventName"], rule.event_names))
    return sx.and_(*conditions)


_BARE_BIG_NUMBER = r'"(?:[^"\\]|\\.)*"|[:\[,]\s*-?[0-9]{12,}[0-9.eE+-]*'


def _quote_big_numbers(text: Expr) -> Expr:
    """Quote JSON numbers of 12+ digits (account ids stored as numbers), so masking them keeps
    the JSON valid. Strings are matched whole so that digits inside them are left alone."""
    found = sx.filter_list(
        sx.regexp_extract_all(text, _BARE_BIG_NUMBER), "tm_n", sx.not_(sx.regexp_like(sx.var("tm_n"), '^"'))
    )
    quoted = sx.regexp_replace(sx.var("tm_n"), r"(-?[0-9][0-9.eE+-]*)$", '"\\1"')
    body = sx.replace(sx.var("tm_acc"), sx.var("tm_n"), quoted)
    return sx.case(
        [(sx.regexp_like(text, r"[:\[,]\s*-?[0-9]{12}"), sx.reduce_list(found, text, "tm_acc", "tm_n", body))], text
    )
