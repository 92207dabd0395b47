"""Detectors for free text and JSON values: patterns, confirmations and the masked form of a finding.

Each detector is a regular expression (the RE2/Java subset shared by DuckDB, Spark and Trino) and
the class whose operator masks what it finds: an ARN found in ``requestParameters`` is masked by the
role's ``arn`` operator, so it gets the same token as ``userIdentity.arn``. How a value is scanned
is trailmask.masking.scanner's part.

Some detectors must confirm a candidate in SQL: card numbers (Luhn) and high-entropy tokens (upper
case, lower case and digits). A candidate that fails its confirmation is not a finding: the text
it covered is scanned again by the other detectors (scanner: the confirmation pass). JSON key rules
(``"password": ...``) mask the value of a key by the key's class; values AWS already hid
(``HIDDEN_DUE_TO_SECURITY_REASONS``, ``<sensitiveDataRemoved>``) are kept as they are. Replacements
never contain quotes or backslashes, so JSON stays valid.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from trailmask.masking.model import AllowList, JsonKeyRule
from trailmask.masking.operators import MaskContext, allowed, text_operator
from trailmask.sqlkit import expr as sx
from trailmask.sqlkit.expr import Expr

AWS_HIDDEN = ("HIDDEN_DUE_TO_SECURITY_REASONS", "<sensitiveDataRemoved>")
# No pattern may cross the unit separator (\x1f) that joins a row's free-text values.
_JSON_STRING = r'"(?:[^"\\\x1f]|\\.)*"'
# Scalars only: a secret key's object or array value, at any depth, is redacted before the scan
# (scanner.redact_secret_containers), so no pattern has to balance brackets.
_JSON_VALUE = _JSON_STRING + r"|-?[0-9][0-9.eE+-]*|true|false|null"
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
        r"\b(?i:arn:aws(?:-[a-z]+)*):[A-Za-z0-9-]*:[A-Za-z0-9-]*:[A-Za-z0-9-]*:[^\s\"'\\,;<>()\[\]{}|\x1f]+",
        "Amazon Resource Names (any case, any account field)",
        guard=lambda m: sx.eq(sx.lower(sx.substr(m, 1, 4)), sx.lit("arn:")),
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
    Detector(
        "ua_version", "public",
        r"\b(?:Mozilla|AppleWebKit|Chrome|Chromium|CriOS|Safari|Version|Edg|EdgA|EdgiOS|Firefox|FxiOS|OPR|"
        r"Gecko|Mobile|YaBrowser|SamsungBrowser|Electron|Trident|Brave|Vivaldi)/[0-9]+(?:\.[0-9]+){1,3}\b",
        "browser versions in user agents, kept (Chrome/122.0.0.0 is not an address)",
        guard=lambda m: sx.has(m, "/"),
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


def key_names(keys: Sequence[str]) -> str:
    """The alternation of these key globs (``*`` = any characters inside the key's quotes)."""
    return "|".join(r'[^"\\\x1f]*'.join(re.escape(part) for part in key.split("*")) for key in keys)


def key_pattern(keys: Sequence[str], secret: bool) -> str:
    """The regex of ``"key": value`` for these key globs (``*`` = any characters; any case).

    Non-secret classes match string values only (their operators mask strings); secret keys take
    any scalar (objects and arrays under a secret key were redacted whole before the scan).
    """
    value = _JSON_VALUE if secret else _JSON_STRING
    return rf'"(?i:{key_names(keys)})"\s*:\s*(?:{value})'


def _clean(value: Expr) -> Expr:
    """Replacements must never close a JSON string early (constant tokens need no cleaning)."""
    if sx.is_plain_literal(value) and not any(c in sx.literal_text(value) for c in '"\\'):
        return value
    return sx.regexp_replace(value, r'["\\]', "")


def _json_key_replacement(match: Expr, rule: JsonKeyRule, ctx: MaskContext) -> Expr:
    """``"key": value`` → ``"key":"<masked value>"``; values AWS already hid are left alone."""
    prefix = sx.regexp_extract(match, r'^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)
    value = sx.substr(match, sx.add(sx.length(prefix), sx.lit(1)))
    hidden = sx.in_(value, [f'"{marker}"' for marker in AWS_HIDDEN] + ['""'])  # and "" stays ""
    op = ctx.role.operator_for(rule.cls)
    if op.name == "keep":
        return match
    unquoted = sx.substr(value, 2, sx.sub(sx.length(value), sx.lit(2)))
    if rule.cls == "secret":  # any JSON value: strings lose their quotes, others are masked whole
        unquoted = sx.case([(sx.regexp_like(value, '^"'), unquoted)], value)
    masked = text_operator(op, unquoted, rule.cls, ctx, label="json_key")
    assert masked is not None
    if not ctx.allow.empty:  # the value on the policy's allow list: kept
        hidden = sx.or_(hidden, allowed(unquoted, ctx.allow))
    return sx.case([(hidden, match)], sx.concat_all(prefix, sx.lit('"'), _clean(masked), sx.lit('"')))


def _detector_replacement(match: Expr, detector: Detector, ctx: MaskContext) -> Expr | None:
    if detector.cls == "public":  # found only so that no other detector takes it
        return None
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
class Alternative:
    pattern: str
    replace: Callable[[Expr], Expr | None]
    confirm: Callable[[Expr], Expr] | None = None
    guard: Callable[[Expr], Expr] | None = None
    ignore: tuple[str, ...] = ()  # the policy's ignore list for this detector: findings kept as they are
    json_rule: bool = False  # matches start with a quote: never a card or high-entropy candidate


def alternatives(rules: Sequence[JsonKeyRule], enabled: Sequence[str], ctx: MaskContext) -> list[Alternative]:
    """JSON key rules first (in order), then the enabled detectors in their fixed priority."""
    found: list[Alternative] = []
    for rule in rules:
        pattern = key_pattern(rule.keys, secret=rule.cls == "secret")
        replace = partial(_json_key_replacement, rule=rule, ctx=ctx)
        found.append(Alternative(pattern, replace, guard=lambda m: sx.starts_with(m, '"'), json_rule=True))
    for detector in DETECTORS:
        if detector.name in enabled:
            found.append(
                Alternative(
                    detector.pattern,
                    partial(_detector_replacement, detector=detector, ctx=ctx),
                    detector.confirm,
                    detector.guard,
                    tuple(ctx.ignore.get(detector.name, ())),
                )
            )
    return found


# Wraps what the confirmation pass masked: no pattern crosses it, so the second pass neither
# re-masks a masked secret nor joins text across it. Removed from the final value.
PROTECT = "\x1f"


def _full_match(match: Expr, alt: Alternative) -> Expr:
    full = sx.regexp_like(match, f"^(?:{alt.pattern})$")
    if alt.guard is not None:  # most matches fail a cheap test long before any regex runs
        full = sx.and_(alt.guard(match), full)
    return full


NOTHING_ALLOWED = AllowList()


def _kept(match: Expr, alt: Alternative) -> Expr | None:
    """The alternative's finding is on its ignore list."""
    if not alt.ignore:
        return None
    return sx.or_(*(sx.regexp_like(match, f"^(?:{pattern})$") for pattern in alt.ignore))


def _allowed_first(match: Expr, allow: AllowList) -> list[tuple[Expr, Expr]]:
    return [] if allow.empty else [(allowed(match, allow), match)]


def confirmed_replacement(match: Expr, found: Sequence[Alternative], allow: AllowList = NOTHING_ALLOWED) -> Expr:
    """Pass 1 (the full alternation, in priority order): a confirmed card or high-entropy token is
    masked and wrapped in :data:`PROTECT`; every other match is left for pass 2, and so is a
    candidate that fails its confirmation: the text it covered is scanned again by the others."""
    branches = _allowed_first(match, allow)
    last = max((i for i, alt in enumerate(found) if alt.confirm is not None), default=-1)
    for alt in found[: last + 1]:
        if alt.json_rule:  # cannot fully match what a confirming detector matches: no test needed
            continue
        full = _full_match(match, alt)
        if alt.confirm is None:
            branches.append((full, match))
            continue
        kept = _kept(match, alt)
        if kept is not None:
            branches.append((sx.and_(full, kept), match))
        masked = alt.replace(match)
        if masked is not None:
            protected = sx.concat_all(sx.lit(PROTECT), masked, sx.lit(PROTECT))
            branches.append((sx.and_(full, alt.confirm(match)), protected))
        branches.append((full, match))
    return sx.coalesce(sx.case(branches, match), sx.lit("[REDACTED]"))


def replacement(match: Expr, found: Sequence[Alternative], allow: AllowList = NOTHING_ALLOWED) -> Expr:
    """Pass 2 (the alternatives that need no confirmation): the first that fully matches decides;
    values on the policy's allow list and findings on a detector's ignore list are kept."""
    branches = _allowed_first(match, allow)
    for alt in found:
        full = _full_match(match, alt)
        kept = _kept(match, alt)
        if kept is not None:
            branches.append((sx.and_(full, kept), match))
        masked = alt.replace(match)
        branches.append((full, match if masked is None else masked))
    return sx.coalesce(sx.case(branches, match), sx.lit("[REDACTED]"))
