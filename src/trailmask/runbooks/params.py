"""Typed runbook parameters: one validation for CLI strings, API JSON and UI form values.

Every value is converted to a Python value of its declared type and later bound by the engine as a
named parameter; nothing here ever becomes SQL text. Error messages name the parameter and the rule
it broke but never repeat the value (it may be sensitive, or hostile).

Identity types (``ip``, ``cidr``, ``account_id``, ``arn``, ``access_key_id``, ``principal``) are checked the
same way for every role. A masked role may also pass a value in the form its own results show it
(a pseudonym token, a truncated address such as ``203.0.113.xxx``, an ARN holding tokens): that
value is used as given. A raw value is converted to the role's view by the service before the query
runs (service.indicators, :func:`indicator_field` names the events field whose masking applies);
see docs/runbooks.md.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from trailmask.errors import UsageError
from trailmask.runbooks.model import Parameter

MAX_TEXT = 1_000_000  # characters; a ceiling for any one text value, far above any legitimate need
MAX_TOKEN = 1024
MAX_LIST = 1000
IDENTITY_TYPES = ("ip", "cidr", "account_id", "arn", "access_key_id", "principal")

_DURATION = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_ACCOUNT = re.compile(r"^\d{12}$")
_ARN = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:(?:\d{12}|aws)?:.+$", re.DOTALL)
_ACCESS_KEY = re.compile(r"^(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z0-9]{12,124}$")
_PRINCIPAL_ID = re.compile(r"^(?:AIDA|AROA|ASIA|AKIA|ANPA|AGPA|AIPA)[A-Z0-9]{12,124}(?::.+)?$", re.DOTALL)
# A value as a masked role sees it: a pseudonym token (in it), a truncated address, a redaction.
_MASKED_FORM = re.compile(
    r"(?:^|[^A-Za-z0-9])[a-z][a-z0-9]{0,11}_(?:[A-Za-z0-9]{1,4}_)?[0-9a-f]{8,64}(?:$|[^A-Za-z0-9])"
    r"|(?:^|[.:/])xxx(?:$|[.:/])|XXXXX"
)
_TRUE = ("true", "yes", "1", "on")
_FALSE = ("false", "no", "0", "off")


def _fail(param: str, rule: str) -> UsageError:
    return UsageError(f"parameter '{param}' {rule}")


def parse_duration(text: str) -> timedelta:
    """``90s``, ``30m``, ``24h``, ``7d``, ``2w`` or combinations such as ``1d12h``."""
    match = _DURATION.match(text.strip().lower())
    if not text.strip() or not match or not any(match.groups()):
        raise ValueError("must be a duration such as 30m, 24h, 7d or 1d12h")
    weeks, days, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)


def parse_timestamp(text: str, now: datetime | None = None) -> datetime:
    """ISO-8601 date or date-time (``Z`` or an offset allowed; none means UTC), or ``now``.

    Returns a naive UTC datetime, the type of ``events.eventTime``.
    """
    value = text.strip()
    if value.lower() == "now":
        return (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise ValueError("must be an ISO-8601 timestamp such as 2024-05-01T12:00:00Z") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError("must be text")
    return str(value)


def _string(param: Parameter, value: Any) -> Any:
    text = _text(value)
    limit = param.max_length or MAX_TEXT
    if len(text) > limit:
        raise ValueError(f"is longer than {limit} characters")
    if param.pattern and not re.fullmatch(param.pattern, text):
        raise ValueError(f"must match the pattern {param.pattern}")
    return text


def _int(param: Parameter, value: Any) -> Any:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError("must be an integer")
    try:
        number = int(value) if not isinstance(value, str) else int(value.strip(), 10)
    except (TypeError, ValueError):
        raise ValueError("must be an integer") from None
    if param.minimum is not None and number < int(param.minimum):
        raise ValueError(f"must be at least {param.minimum}")
    if param.maximum is not None and number > int(param.maximum):
        raise ValueError(f"must be at most {param.maximum}")
    return number


def _bool(param: Parameter, value: Any) -> Any:
    if isinstance(value, bool):
        return value
    text = _text(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("must be true or false")


def _enum(param: Parameter, value: Any) -> Any:
    text = _text(value).strip()
    if text not in param.values:
        raise ValueError(f"must be one of: {', '.join(param.values)}")
    return text


def _timestamp(param: Parameter, value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    moment = parse_timestamp(_text(value))
    if param.minimum is not None and moment < parse_timestamp(str(param.minimum)):
        raise ValueError(f"must not be before {param.minimum}")
    if param.maximum is not None and moment > parse_timestamp(str(param.maximum)):
        raise ValueError(f"must not be after {param.maximum}")
    return moment


def _duration(param: Parameter, value: Any) -> Any:
    span = value if isinstance(value, timedelta) else parse_duration(_text(value))
    if param.minimum is not None and span < parse_duration(str(param.minimum)):
        raise ValueError(f"must be at least {param.minimum}")
    if param.maximum is not None and span > parse_duration(str(param.maximum)):
        raise ValueError(f"must be at most {param.maximum}")
    return span


def _ip(param: Parameter, value: Any) -> Any:
    try:
        return str(ipaddress.ip_address(_text(value).strip()))
    except ValueError:
        raise ValueError("must be an IPv4 or IPv6 address") from None


def _cidr(param: Parameter, value: Any) -> Any:
    try:
        return str(ipaddress.ip_network(_text(value).strip(), strict=False))
    except ValueError:
        raise ValueError("must be a network in CIDR notation such as 10.0.0.0/8") from None


def _principal(param: Parameter, value: Any) -> Any:
    """An ARN, a user or role name, or a principal ID (AIDA..., AROA...:session)."""
    text = _text(value).strip()
    if text.lower().startswith("arn:"):
        if not _ARN.match(text):
            raise ValueError("must be an ARN such as arn:aws:iam::123456789012:user/alice, a name or a principal ID")
        return text
    limit = param.max_length or MAX_TOKEN
    if not text or len(text) > limit or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise ValueError(f"must be a name, ARN or principal ID of 1 to {limit} printable characters")
    return text


def _regex_type(regex: re.Pattern[str], what: str) -> Callable[[Parameter, Any], Any]:
    def convert(param: Parameter, value: Any) -> Any:
        text = _text(value).strip()
        if not regex.match(text):
            raise ValueError(f"must be {what}")
        return text

    return convert


def _list(param: Parameter, value: Any) -> Any:
    items = [v.strip() for v in value.split(",")] if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ValueError("must be a list (comma-separated on the command line)")
    items = [v for v in items if not (isinstance(v, str) and v == "")]
    if len(items) > MAX_LIST:
        raise ValueError(f"has more than {MAX_LIST} items")
    if param.minimum is not None and len(items) < int(param.minimum):
        raise ValueError(f"needs at least {param.minimum} items")
    if param.maximum is not None and len(items) > int(param.maximum):
        raise ValueError(f"takes at most {param.maximum} items")
    element = Parameter(
        name=param.name, type=param.items or "string", description="", pattern=param.pattern, values=param.values
    )
    convert = TYPES[element.type]
    return [convert(element, item) for item in items]


TYPES: dict[str, Callable[[Parameter, Any], Any]] = {
    "string": _string,
    "int": _int,
    "bool": _bool,
    "enum": _enum,
    "timestamp": _timestamp,
    "duration": _duration,
    "list": _list,
    "ip": _ip,
    "cidr": _cidr,
    "account_id": _regex_type(_ACCOUNT, "a 12-digit AWS account ID"),
    "arn": _regex_type(_ARN, "an ARN such as arn:aws:iam::123456789012:user/alice"),
    "access_key_id": _regex_type(_ACCESS_KEY, "an AWS access key ID such as AKIA... or ASIA..."),
    "principal": _principal,
}
LIST_ITEM_TYPES = tuple(t for t in TYPES if t != "list")


def is_masked_form(value: str) -> bool:
    """Does ``value`` look like a value a masked role sees (a token, ``xxx`` truncation, redaction)?"""
    return bool(_MASKED_FORM.search(value))


def indicator_field(kind: str, value: str) -> str | None:
    """The events field whose masking converts a raw ``value`` of identity type ``kind``, or None
    (not an identity type, or ``value`` is already in a masked form)."""
    if kind not in IDENTITY_TYPES or is_masked_form(value):
        return None
    if kind == "principal":
        if value.lower().startswith("arn:"):
            return "userIdentity.arn"
        return "userIdentity.principalId" if _PRINCIPAL_ID.match(value) else "userIdentity.userName"
    return _INDICATOR_FIELDS.get(kind)  # cidr: a network, never converted (no field holds networks)


_INDICATOR_FIELDS = {
    "ip": "sourceIPAddress",
    "account_id": "recipientAccountId",
    "arn": "userIdentity.arn",
    "access_key_id": "userIdentity.accessKeyId",
}


def _identity(param: Parameter, kind: str, value: Any, masked: bool) -> Any:
    """Checked as for every role; a masked role's value in its masked form is taken as given."""
    text = _text(value).strip()
    element = Parameter(name=param.name, type=kind, description="", max_length=param.max_length)
    try:
        return TYPES[kind](element, text)
    except ValueError:
        printable = 0 < len(text) <= MAX_TOKEN and not any(ord(c) < 32 for c in text)
        if masked and printable and is_masked_form(text):
            return text
        raise


def convert(param: Parameter, value: Any, *, masked: bool = False) -> Any:
    """Convert one supplied value to the parameter's type; UsageError names the rule broken."""
    kind = param.items if param.type == "list" else param.type
    try:
        if kind in IDENTITY_TYPES and kind is not None:
            if param.type == "list":
                items = value.split(",") if isinstance(value, str) else value
                if not isinstance(items, list | tuple):
                    raise ValueError("must be a list (comma-separated on the command line)")
                items = [v for v in items if not (isinstance(v, str) and not v.strip())]
                _list(Parameter(name=param.name, type="list", description="", items="string", minimum=param.minimum,
                                maximum=param.maximum), items)  # fmt: skip
                return [_identity(param, kind, v, masked) for v in items]
            result = _identity(param, kind, value, masked)
        else:
            result = TYPES[param.type](param, value)
        pattern_applies = param.pattern and param.type not in ("string", "list") and not is_masked_form(str(result))
        if pattern_applies and not re.fullmatch(str(param.pattern), str(result)):
            raise ValueError(f"must match the pattern {param.pattern}")
        return result
    except ValueError as exc:
        raise _fail(param.name, str(exc)) from None


def check_declaration(param: Parameter) -> list[str]:
    """Problems with a parameter's declaration itself (used by the loader), as messages."""
    problems: list[str] = []
    if param.type not in TYPES:
        return [f"parameter '{param.name}' has unknown type '{param.type}' (types: {', '.join(TYPES)})"]
    if param.type == "enum" and not param.values:
        problems.append(f"enum parameter '{param.name}' needs 'values'")
    if param.type == "list" and param.items not in LIST_ITEM_TYPES:
        problems.append(f"list parameter '{param.name}' needs 'items' (one of: {', '.join(LIST_ITEM_TYPES)})")
    if param.type == "list" and param.items == "enum" and not param.values:
        problems.append(f"list parameter '{param.name}' of enum items needs 'values'")
    if param.pattern is not None:
        try:
            re.compile(param.pattern)
        except re.error as exc:
            problems.append(f"parameter '{param.name}' has an invalid pattern: {exc}")
    if param.required and param.default is not None:
        problems.append(f"parameter '{param.name}' is required and so cannot have a default")
    if not problems and param.default is not None:
        try:
            convert(param, param.default)
        except UsageError as exc:
            problems.append(f"default of {exc.message}")
    return problems


def bind(params: tuple[Parameter, ...], supplied: Mapping[str, Any], *, masked: bool = False) -> dict[str, Any]:
    """Typed values for ordinary (non-window) parameters: supplied, else default, else required error."""
    values: dict[str, Any] = {}
    for param in params:
        if param.window:
            continue
        raw = supplied.get(param.name)
        if raw is None or (isinstance(raw, str) and raw == "" and param.type != "string"):
            if param.required:
                hint = f"e.g. -p {param.name}={param.example}" if param.example else None
                raise UsageError(f"parameter '{param.name}' is required", hint=hint)
            values[param.name] = None if param.default is None else convert(param, param.default)
            continue
        values[param.name] = convert(param, raw, masked=masked)
    return values
