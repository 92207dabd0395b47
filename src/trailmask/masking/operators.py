"""Masking operators: each turns a value expression into its masked SQL expression.

Every operator is built from trailmask.sqlkit.expr nodes, so it renders for DuckDB, Spark SQL and
Trino/Athena (see tests/masking/golden). An operator is used in two places:

- on a structured field (:func:`mask_value`): NULL stays NULL, the result keeps the field's type
  where the operator allows it;
- on a substring a detector found in free text (:func:`mask_match`): the result replaces the match.

Keyed pseudonyms are ``prefix_`` + the first hex digits of SHA-256(key || ':' || class || ':' ||
value): deterministic for one key, unguessable without it (unlike a plain hash, which a 12-digit
account id or an IPv4 address could be brute-forced from). The key is a session value, never text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from trailmask.masking.model import AllowList, Operator, Role
from trailmask.sqlkit import expr as sx
from trailmask.sqlkit.expr import Expr

DEFAULT_REDACT_TOKEN = "XXXXX"  # noqa: S105 (the mask, not a password)
KEEP_PREFIX_MIN_LENGTH = 16
IPV4_FULL = r"^(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$"
IPV6_FULL = r"^(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f.]{0,15}$"
# AWS's own host names: a service principal (``lambda.amazonaws.com``), a service's regional
# endpoint (``ssm.us-east-1.amazonaws.com``) and the few AWS names with a fixed sub-label
# (``portal.sso.us-east-1``, ``console.ec2``, ``delivery.logs``). Nothing else under amazonaws.com:
# there a label is the customer's (``acme-logs.s3.us-east-1.amazonaws.com`` names a bucket,
# ``db1.c9x.us-east-1.rds.amazonaws.com`` a database, ``ec2-203-0-113-77.compute-1...`` an address),
# so such a host is masked like any other name.
_AWS_REGION = r"[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+"
_AWS_FIXED_LABELS = r"portal\.sso|console\.ec2|delivery\.logs|ops\.apigateway|replicator\.lambda|edgelambda\.lambda"
AWS_HOST = rf"(?:{_AWS_FIXED_LABELS}|[a-z0-9-]+)(?:\.{_AWS_REGION})?\.amazonaws\.com(?:\.cn)?"
# Values of sourceIPAddress that are not addresses and not sensitive: AWS service principals...
SERVICE_HOST = rf"^(?:{AWS_HOST}|AWS Internal)$"
# ...unless the host name spells an address (ec2-203-0-113-77.compute-1.amazonaws.com).
IP_BEARING = r"(?:^|[^0-9])[0-9]{1,3}[-.][0-9]{1,3}[-.][0-9]{1,3}[-.][0-9]{1,3}(?:[^0-9]|$)"
ARN_FULL = r"^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:.+$"
# AWS-managed names kept by a pseudonym with keep_managed (service-linked roles, their paths, and
# the service principals in them); AWSReservedSSO_ roles keep that prefix, the rest is a token.
MANAGED_NAME = (
    r"^(?:AWSServiceRoleFor[A-Za-z0-9+=,.@_-]*|aws-service-role|aws-reserved"
    rf"|{AWS_HOST})$"
)
SSO_PREFIX = "AWSReservedSSO_"
# The longest pseudonym (prefix, kept part, digest) is well under this: used to empty a token.
_TOKEN_MAX = 128
_STRING_TYPES = ("STRING", "JSON")
_SQL_TYPES = {"STRING": "VARCHAR", "JSON": "JSON", "BOOLEAN": "BOOLEAN", "TIMESTAMP": "TIMESTAMP"}


@dataclass(frozen=True)
class OptionSpec:
    """Allowed values of one option: a type and, optionally, a closed set of choices."""

    kind: type
    default: Any
    choices: tuple[Any, ...] = ()
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True)
class OperatorSpec:
    description: str
    options: dict[str, OptionSpec]
    classes: tuple[str, ...] = ()  # empty: any class


OPERATORS: dict[str, OperatorSpec] = {
    "keep": OperatorSpec("show the value as stored", {}),
    "redact": OperatorSpec("replace by a fixed token", {"token": OptionSpec(str, DEFAULT_REDACT_TOKEN)}),
    "nullify": OperatorSpec("replace by NULL", {}),
    "partial": OperatorSpec(
        "keep the first/last N characters; short values are redacted",
        {
            "first": OptionSpec(int, 0, low=0, high=8),
            "last": OptionSpec(int, 4, low=0, high=8),
            "mask": OptionSpec(str, "***"),
        },
    ),
    "pseudonym": OperatorSpec(
        "keyed deterministic token: prefix_ + hex of SHA-256(key, class, value)",
        {
            "prefix": OptionSpec(str, "tok"),
            "keep_prefix": OptionSpec(int, 0, low=0, high=4),
            "length": OptionSpec(int, 12, low=8, high=64),
            "keep_managed": OptionSpec(bool, False),
        },
    ),
    "email": OperatorSpec(
        "masked@domain (domain) or masked@***.tld (full)",
        {"mode": OptionSpec(str, "domain", choices=("domain", "full"))},
        classes=("email",),
    ),
    "ip_truncate": OperatorSpec(
        "keep the network prefix (192.168.xxx.xxx, 2001:db8:85a3::), of each address of a list; AWS "
        "service names kept unless they spell an address",
        {
            "ipv4_prefix": OptionSpec(int, 24, choices=(0, 8, 16, 24)),
            "ipv6_prefix": OptionSpec(int, 48, choices=(0, 16, 32, 48, 64)),
        },
        classes=("ip",),
    ),
    "time_trunc": OperatorSpec(
        "truncate timestamps", {"unit": OptionSpec(str, "hour", choices=("minute", "hour", "day", "month", "year"))}
    ),
    "arn": OperatorSpec(
        "keep partition, service, region and resource type; mask the account (with the role's "
        "account_id operator) and each resource path segment (with the role's principal pseudonym)",
        {"names": OptionSpec(str, "pseudonym", choices=("pseudonym", "redact"))},
        classes=("arn",),
    ),
    "detect": OperatorSpec("free text: every detector match is masked with the operator of its class", {}),
}


@dataclass(frozen=True)
class MaskContext:
    """What operators need besides the value: the key expression and the role's operators."""

    key: Expr
    role: Role
    allow: AllowList = field(default_factory=AllowList)
    ignore: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # detector -> whole-match regexes


def option(op: Operator, name: str) -> Any:
    return op.option(name, OPERATORS[op.name].options[name].default)


def keyed_digest(value: Expr, namespace: str, key: Expr, length: int = 12) -> Expr:
    """First ``length`` hex digits of SHA-256(key || ':' || namespace || ':' || value)."""
    return sx.substr(sx.sha256_hex(sx.concat(key, sx.lit(f":{namespace}:"), value)), 1, length)


def keyed_digest_py(value: str, namespace: str, key: str, length: int = 12) -> str:
    """The same digest computed in Python (reveal, tests); must match :func:`keyed_digest`."""
    return hashlib.sha256(f"{key}:{namespace}:{value}".encode()).hexdigest()[:length]


def pseudonym(value: Expr, namespace: str, op: Operator, key: Expr) -> Expr:
    """``prefix_digest``; the empty string stays empty (a token would look like a real value)."""
    digest = keyed_digest(value, namespace, key, option(op, "length"))
    head = sx.lit(f"{option(op, 'prefix')}_")
    keep = option(op, "keep_prefix")
    token = sx.concat(head, digest)
    if keep:
        # Only long values show their prefix (AKIA/ASIA: the kind of key, not the key). Written
        # without CASE: the engine then hashes each distinct value once, not once per row.
        long_ = sx.cast(sx.ge(sx.length(value), sx.lit(KEEP_PREFIX_MIN_LENGTH)), "INT")
        kept = sx.concat(sx.substr(value, 1, sx.mul(sx.lit(keep), long_)), sx.substr(sx.lit("_"), 1, long_))
        token = sx.concat(head, kept, digest)
    present = sx.cast(sx.ge(sx.length(value), sx.lit(1)), "INT")  # 0 for "", no CASE either
    return sx.substr(token, 1, sx.mul(present, sx.lit(_TOKEN_MAX)))


def pseudonym_py(value: str, namespace: str, op: Operator, key: str) -> str:
    if value == "":
        return ""
    digest = keyed_digest_py(value, namespace, key, option(op, "length"))
    keep = option(op, "keep_prefix")
    middle = f"{value[:keep]}_" if keep and len(value) >= KEEP_PREFIX_MIN_LENGTH else ""
    return f"{option(op, 'prefix')}_{middle}{digest}"


def _null_safe(value: Expr, masked: Expr) -> Expr:
    """NULL stays NULL and the empty string stays empty, whatever the operator."""
    return sx.case([(sx.is_null(value), sx.typed_null("VARCHAR")), (sx.eq(value, sx.lit("")), sx.lit(""))], masked)


def name_token(value: Expr, op: Operator, cls: str, ctx: MaskContext) -> Expr:
    """A keyed pseudonym; with ``keep_managed``, AWS-managed names stay recognisable."""
    token = pseudonym(value, cls, op, ctx.key)
    if not option(op, "keep_managed"):
        return token
    rest = sx.substr(value, len(SSO_PREFIX) + 1)
    sso = sx.concat(sx.lit(SSO_PREFIX), pseudonym(rest, cls, op, ctx.key))
    return sx.case([(sx.regexp_like(value, MANAGED_NAME), value), (sx.starts_with(value, SSO_PREFIX), sso)], token)


def partial(value: Expr, op: Operator) -> Expr:
    first, last, mask = option(op, "first"), option(op, "last"), option(op, "mask")
    shown = sx.concat(sx.substr(value, 1, first), sx.lit(mask), sx.right(value, last))
    too_short = sx.lit(first + last + 4)
    return sx.case([(sx.not_(sx.ge(sx.length(value), too_short)), sx.lit(DEFAULT_REDACT_TOKEN))], shown)


def email(value: Expr, op: Operator) -> Expr:
    if option(op, "mode") == "domain":
        masked = sx.concat(sx.lit("masked@"), sx.regexp_extract(value, r"@([^@]+)$", 1))
    else:
        masked = sx.concat(sx.lit("masked@***."), sx.regexp_extract(value, r"\.([^.@]+)$", 1))
    looks_like = sx.regexp_like(value, r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    return sx.case([(looks_like, masked)], sx.lit(DEFAULT_REDACT_TOKEN))


def _ipv4(value: Expr, prefix: int) -> Expr:
    if prefix == 0:
        return sx.lit("xxx.xxx.xxx.xxx")
    groups = prefix // 8
    head = r"^(\d+" + r"\.\d+" * (groups - 1) + r")\."
    return sx.concat(sx.regexp_extract(value, head, 1), sx.lit(".xxx" * (4 - groups)))


def _ipv6(value: Expr, prefix: int) -> Expr:
    if prefix == 0:
        return sx.lit("::")
    groups = prefix // 16
    head = r"^([0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0," + str(groups - 1) + "})"
    return sx.concat(sx.regexp_extract(sx.lower(value), head, 1), sx.lit("::"))


def _one_address(value: Expr, op: Operator) -> Expr:
    return sx.case(
        [
            (sx.regexp_like(value, IPV4_FULL), _ipv4(value, option(op, "ipv4_prefix"))),
            (sx.regexp_like(value, IPV6_FULL), _ipv6(value, option(op, "ipv6_prefix"))),
            (sx.and_(sx.regexp_like(value, SERVICE_HOST), sx.not_(sx.regexp_like(value, IP_BEARING))), value),
        ],
        sx.lit(DEFAULT_REDACT_TOKEN),
    )


def ip_truncate(value: Expr, op: Operator, kind: str | None = None) -> Expr:
    """Addresses keep their network prefix; AWS service principals stay (not a host name that spells
    an address); a list (``81.2.69.142, 192.168.10.10``) is masked address by address; anything
    else is redacted. ``kind`` (``ipv4``/``ipv6``) is set when a detector knows which it found.
    """
    if kind == "ipv4":
        return _ipv4(value, option(op, "ipv4_prefix"))
    if kind == "ipv6":
        return _ipv6(value, option(op, "ipv6_prefix"))
    pieces = sx.regexp_extract_all(value, r"[^,\s]+")
    listed = sx.join_list(sx.transform(pieces, "tm_ip", _one_address(sx.var("tm_ip"), op)), sx.lit(", "))
    return sx.case([(sx.has(value, ","), listed)], _one_address(value, op))


def time_trunc(value: Expr, op: Operator, leaf_type: str) -> Expr:
    unit = option(op, "unit")
    if leaf_type == "TIMESTAMP":
        return sx.date_trunc(unit, value)
    return sx.cast(sx.date_trunc(unit, sx.cast(value, "TIMESTAMP", safe=True)), "VARCHAR")


def _account_part(account: Expr, ctx: MaskContext) -> Expr:
    """The account inside an ARN, masked like the role's ``account_id`` fields (same tokens); any
    account field that is not empty or ``aws`` (12 digits or not)."""
    masked = text_operator(ctx.role.operator_for("account_id"), account, "account_id", ctx)
    kept = masked if masked is not None else account
    return sx.case([(sx.in_(sx.lower(account), ["", "aws"]), account)], kept)


def _name_operator(ctx: MaskContext) -> Operator:
    """Names inside ARNs take the role's principal pseudonym, so ``user/alice`` and ``userName``
    ``alice`` give one token (equality joins work); a role without one gets ``name_`` tokens."""
    principal = ctx.role.operator_for("principal")
    return principal if principal.name == "pseudonym" else Operator("pseudonym", {"prefix": "name"})


def _arn_names(names: Expr, op: Operator, ctx: MaskContext) -> Expr:
    """Each ``/`` segment of an ARN's resource on its own (``assumed-role/ROLE/SESSION``: one token
    for the role, one for the session); empty segments stay empty."""
    if option(op, "names") == "redact":
        return sx.regexp_replace(names, "[^/]+", DEFAULT_REDACT_TOKEN)
    segment = sx.var("tm_seg")
    name = sx.substr(segment, 1, sx.sub(sx.length(segment), sx.lit(1)))
    masked = sx.concat(name_token(name, _name_operator(ctx), "principal", ctx), sx.lit("/"))
    pieces = sx.regexp_extract_all(sx.concat(names, sx.lit("/")), "[^/]*/")
    joined = sx.join_list(sx.transform(pieces, "tm_seg", masked), sx.lit(""))
    return sx.substr(joined, 1, sx.sub(sx.length(joined), sx.lit(1)))


_ARN_HEAD = r"^([Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:)[^:]*:."
_ARN_ACCOUNT = r"^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):"
_ARN_RESOURCE = r"^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$"
# The resource type (``role/``, ``function:``...) of any service but S3, whose resource is a name.
_ARN_KIND = r"^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:])."


def arn(value: Expr, op: Operator, ctx: MaskContext) -> Expr:
    """arn:partition:service:region:ACCOUNT:type/NAME/NAME...; AWS-owned ARNs (account ``aws``)
    kept; the prefix in any case (``ARN:AWS:IAM::...``).

    The resource type is the leading ``word/`` or ``word:`` of the resource (none for S3, whose
    resource is a bucket name); each ``/`` segment after it is masked on its own. A value that is
    not an ARN is masked as one name.
    """
    account = sx.regexp_extract(value, _ARN_ACCOUNT, 1)
    resource = sx.regexp_extract(value, _ARN_RESOURCE, 1)
    kind = sx.regexp_extract(value, _ARN_KIND, 1)
    names = sx.case([(sx.eq(kind, sx.lit("")), resource)], sx.substr(resource, sx.add(sx.length(kind), sx.lit(1))))
    masked = sx.concat_all(
        sx.regexp_extract(value, _ARN_HEAD, 1),
        _account_part(account, ctx),
        sx.lit(":"),
        kind,
        _arn_names(names, op, ctx),
    )
    whole = (
        sx.lit(DEFAULT_REDACT_TOKEN)
        if option(op, "names") == "redact"
        else name_token(value, _name_operator(ctx), "principal", ctx)
    )
    return sx.case([(sx.eq(sx.lower(account), sx.lit("aws")), value), (sx.regexp_like(value, ARN_FULL), masked)], whole)


def allowed(value: Expr, allow: AllowList) -> Expr:
    """``value`` is on the policy's allow list (an exact value, or a whole match of a pattern)."""
    tests = [sx.in_(value, allow.values)] if allow.values else []
    tests += [sx.regexp_like(value, f"^(?:{pattern})$") for pattern in allow.patterns]
    return sx.or_(*tests)


def mask_value(op: Operator, value: Expr, cls: str, leaf_type: str, ctx: MaskContext) -> Expr:
    """A structured field's masked expression (``detect`` is compiled by the detectors module);
    values on the policy's allow list are shown as stored."""
    masked = _mask_value(op, value, cls, leaf_type, ctx)
    if ctx.allow.empty or op.name == "keep" or leaf_type != "STRING":
        return masked
    return sx.case([(allowed(value, ctx.allow), value)], masked)


def _mask_value(op: Operator, value: Expr, cls: str, leaf_type: str, ctx: MaskContext) -> Expr:
    if op.name == "keep":
        return value
    if op.name == "time_trunc" and leaf_type in ("TIMESTAMP", "STRING"):
        return time_trunc(value, op, leaf_type)
    if op.name == "time_trunc":
        return sx.typed_null(_SQL_TYPES.get(leaf_type, "VARCHAR"))
    if op.name == "nullify" or leaf_type not in _STRING_TYPES:
        return sx.typed_null(_SQL_TYPES.get(leaf_type, "VARCHAR"))
    if op.name == "redact":
        return _null_safe(value, sx.lit(option(op, "token")))
    masked = text_operator(op, value, cls, ctx)
    if masked is None:
        raise ValueError(f"operator {op.name} cannot mask a structured field")
    if op.name == "pseudonym":  # NULL in, NULL out already (``||``); no CASE keeps it cheap
        return masked
    return _null_safe(value, masked)


def text_operator(op: Operator, value: Expr, cls: str, ctx: MaskContext, label: str | None = None) -> Expr | None:
    """The replacement of one value or detected substring; None means keep it as it is.

    ``label`` names the detector when masking inside free text: redaction there writes
    ``[REDACTED:label]`` so a reader knows what was removed; elsewhere it writes the role's token.
    """
    token = option(op, "token") if op.name == "redact" else DEFAULT_REDACT_TOKEN
    redacted = sx.lit(f"[REDACTED:{label}]") if label else sx.lit(token)
    builders: dict[str, Callable[[], Expr]] = {
        "redact": lambda: redacted,
        "nullify": lambda: redacted,
        "partial": lambda: partial(value, op),
        "pseudonym": lambda: name_token(value, op, cls, ctx),
        "email": lambda: email(value, op),
        "ip_truncate": lambda: ip_truncate(value, op, label if label in ("ipv4", "ipv6") else None),
        "arn": lambda: arn(value, op, ctx),
    }
    if op.name == "keep":
        return None
    if op.name not in builders:  # time_trunc, detect: no meaning for a detected value → fail closed
        return redacted if label else sx.lit(DEFAULT_REDACT_TOKEN)
    return builders[op.name]()
