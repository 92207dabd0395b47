"""Load and validate a policy file (YAML); every error names the file and the exact position.

Example message: ``policy.yaml: roles.investigator.operators.ip.ipv4_prefix: must be one of 0, 8,
16, 24 (got 12)``. Values are never echoed for keys that could hold secrets (there are none in a
policy, but the loader does not assume it: it echoes option values, field paths and names only).
"""

from __future__ import annotations

import difflib
import re
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from trailmask.errors import ConfigError, QueryRejected
from trailmask.masking.detectors import DETECTOR_NAMES
from trailmask.masking.model import (
    RAW_RECORD_COLUMN,
    AllowList,
    JsonKeyRule,
    Operator,
    Policy,
    Role,
    RowFilter,
    leaf_paths,
)
from trailmask.masking.operators import OPERATORS, OptionSpec
from trailmask.sqlkit.sandbox import check_condition

_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
_KEY_GLOB = re.compile(r"^[A-Za-z0-9_.*-]+$")
_ACCOUNT = re.compile(r"^[0-9]{12}$")
_TOP_KEYS = {"version", "classes", "json_keys", "detectors", "roles", "allow", "ignore"}
_ALLOW_KEYS = ["values", "patterns"]
# Regex syntax outside the RE2/Java subset every engine shares (lookaround, backreferences, atomic
# groups, possessive quantifiers): rejected, since DuckDB would refuse the query or match otherwise.
_NOT_PORTABLE = re.compile(r"\(\?<?[=!]|\(\?>|\\[1-9]|\\k<|[*+?}]\+")
_REMOVED_OPTIONS = {
    ("arn", "prefix"): "no longer an option: names inside ARNs take the role's principal pseudonym (the same "
    "token as in userName, so joins work); remove it and set the prefix on the principal operator",
}
_ROLE_KEYS = {"description", "raw", "operators", "default", "row_filter", "permissions"}


class _Errors:
    """Collects every problem so one run reports them all."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}" if where else message)

    def raise_if_any(self) -> None:
        if self.items:
            listing = "; ".join(self.items)
            raise ConfigError(
                f"invalid policy {self.origin}: {listing}",
                hint='see "The masking policy file" in the trailmask documentation',
            )


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _string_list(value: Any, where: str, errors: _Errors) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        errors.add(where, "must be a list of non-empty strings")
        return ()
    return tuple(value)


def _of_kind(value: Any, kind: type) -> bool:
    """``True`` is not an int here: YAML booleans must not pass as numbers."""
    return type(value) is kind


def _option_problem(key: str, option: OptionSpec, value: Any) -> str | None:
    if not _of_kind(value, option.kind):
        return f"must be {option.kind.__name__}"
    if option.choices and value not in option.choices:
        return f"must be one of {', '.join(map(str, option.choices))} (got {value})"
    if option.low is not None and option.high is not None and not option.low <= value <= option.high:
        return f"must be between {option.low} and {option.high} (got {value})"
    if key == "prefix" and not re.match(r"^[a-z][a-z0-9]{0,11}$", value):
        return "must be 1-12 lower-case letters or digits, starting with a letter"
    return None


def _operator(given: Any, cls: str, where: str, errors: _Errors) -> Operator | None:
    spec: Any = {"op": given} if isinstance(given, str) else given
    if not isinstance(spec, dict) or not isinstance(spec.get("op"), str):
        errors.add(where, "must be an operator name or a mapping with 'op'")
        return None
    name = spec["op"]
    if name not in OPERATORS:
        errors.add(where, f"unknown operator {name!r}{_suggest(name, list(OPERATORS))}")
        return None
    definition = OPERATORS[name]
    if definition.classes and cls not in definition.classes:
        errors.add(where, f"operator {name!r} applies only to class {', '.join(definition.classes)}")
    options: dict[str, Any] = {}
    for key, value in spec.items():
        if key == "op":
            continue
        option = definition.options.get(key)
        if (name, key) in _REMOVED_OPTIONS:
            errors.add(f"{where}.{key}", _REMOVED_OPTIONS[(name, key)])
            continue
        if option is None:
            known = ", ".join(definition.options) or "none"
            errors.add(f"{where}.{key}", f"unknown option for {name!r} (options: {known})")
            continue
        problem = _option_problem(key, option, value)
        if problem:
            errors.add(f"{where}.{key}", problem)
        else:
            options[key] = value
    return Operator(name, options)


def _classes(data: Any, errors: _Errors) -> dict[str, str]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        errors.add("classes", "must be a mapping of field path to class")
        return {}
    known = leaf_paths()
    classes: dict[str, str] = {}
    for path, cls in data.items():
        where = f"classes.{path}"
        if path == RAW_RECORD_COLUMN:
            errors.add(where, "tm_raw cannot be classified: only raw roles see it, as it is")
        elif path not in known:
            errors.add(where, f"unknown field{_suggest(str(path), known)}")
        elif not isinstance(cls, str) or not _NAME.match(cls):
            errors.add(where, "class must be a lower-case name such as principal or free_text")
        else:
            classes[path] = cls
    return classes


def _json_keys(data: Any, errors: _Errors) -> tuple[JsonKeyRule, ...]:
    if data is None:
        return ()
    if not isinstance(data, list):
        errors.add("json_keys", "must be a list of {class, keys, when}")
        return ()
    rules = []
    for index, item in enumerate(data):
        where = f"json_keys[{index}]"
        if not isinstance(item, dict) or set(item) - {"class", "keys", "when"}:
            errors.add(where, "must be a mapping with class, keys and optionally when")
            continue
        cls = item.get("class")
        keys = _string_list(item.get("keys"), f"{where}.keys", errors)
        for key in keys:
            if not _KEY_GLOB.match(key):
                errors.add(f"{where}.keys", f"{key!r}: letters, digits, _ . - and * only")
        if not isinstance(cls, str) or not _NAME.match(cls) or cls == "free_text":
            errors.add(f"{where}.class", "must be a class name other than free_text")
            continue
        when = item.get("when") or {}
        if not isinstance(when, dict) or set(when) - {"eventSource", "eventName"}:
            errors.add(f"{where}.when", "may only hold eventSource and eventName lists")
            when = {}
        sources = _string_list(when.get("eventSource"), f"{where}.when.eventSource", errors)
        names = _string_list(when.get("eventName"), f"{where}.when.eventName", errors)
        if keys:
            rules.append(JsonKeyRule(keys, cls, sources, names))
    return tuple(rules)


def _patterns(value: Any, where: str, errors: _Errors) -> tuple[str, ...]:
    """Whole-value regexes: valid, portable, and not matching the empty string (that would allow
    everything)."""
    found = []
    for index, pattern in enumerate(_string_list(value, where, errors)):
        at = f"{where}[{index}]"
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            errors.add(at, f"not a valid regular expression ({exc.msg})")
            continue
        if _NOT_PORTABLE.search(pattern):
            errors.add(at, "lookaround, backreferences and atomic or possessive groups are not supported (RE2 syntax)")
        elif compiled.fullmatch(""):
            errors.add(at, "matches the empty string, so it would match everything: make it stricter")
        else:
            found.append(pattern)
    return tuple(found)


def _allow(data: Any, errors: _Errors) -> AllowList:
    if data is None:
        return AllowList()
    if not isinstance(data, dict):
        errors.add("allow", "must be a mapping with values and/or patterns")
        return AllowList()
    for key in sorted(set(map(str, data)) - set(_ALLOW_KEYS)):
        errors.add(f"allow.{key}", f"unknown key{_suggest(key, _ALLOW_KEYS)} (allow takes values and patterns)")
    return AllowList(
        _string_list(data.get("values"), "allow.values", errors),
        _patterns(data.get("patterns"), "allow.patterns", errors),
    )


def _ignore(data: Any, errors: _Errors) -> dict[str, tuple[str, ...]]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        errors.add("ignore", "must be a mapping of detector name to a list of patterns")
        return {}
    found = {}
    for name, patterns in data.items():
        where = f"ignore.{name}"
        if name not in DETECTOR_NAMES:
            errors.add(where, f"unknown detector{_suggest(str(name), list(DETECTOR_NAMES))}")
            continue
        found[str(name)] = _patterns(patterns, where, errors)
    return found


def _row_filter(data: Any, where: str, errors: _Errors) -> RowFilter:
    if data is None:
        return RowFilter()
    if not isinstance(data, dict) or set(data) - {"accounts", "regions", "where"}:
        errors.add(where, "may only hold accounts, regions and where")
        return RowFilter()
    accounts = _string_list(data.get("accounts"), f"{where}.accounts", errors)
    for account in accounts:
        if not _ACCOUNT.match(account):
            errors.add(f"{where}.accounts", "each account must be a 12-digit string (quote it in YAML)")
    condition = data.get("where")
    if condition is not None:
        try:
            if not isinstance(condition, str):
                raise QueryRejected("must be a SQL condition string")
            check_condition(condition)
        except QueryRejected as exc:
            errors.add(f"{where}.where", str(exc))
            condition = None
    regions = _string_list(data.get("regions"), f"{where}.regions", errors)
    return RowFilter(accounts, regions, condition)


def _role(name: str, data: Any, errors: _Errors) -> Role | None:
    where = f"roles.{name}"
    if not _NAME.match(name):
        errors.add(where, "role names are lower-case letters, digits, - and _")
    if not isinstance(data, dict):
        errors.add(where, "must be a mapping")
        return None
    for key in sorted(set(data) - _ROLE_KEYS):
        errors.add(f"{where}.{key}", f"unknown setting{_suggest(key, sorted(_ROLE_KEYS))}")
    raw = data.get("raw", False)
    if not isinstance(raw, bool):
        errors.add(f"{where}.raw", "must be true or false")
        raw = False
    operators = data.get("operators") or {}
    if raw and operators:
        errors.add(f"{where}.operators", "a raw role sees every value as stored: remove its operators")
    if not isinstance(operators, dict):
        errors.add(f"{where}.operators", "must be a mapping of class to operator")
        operators = {}
    built = {}
    for cls, spec in operators.items():
        op = _operator(spec, str(cls), f"{where}.operators.{cls}", errors)
        if op is not None:
            built[str(cls)] = op
    default = _operator(data.get("default", "redact"), "", f"{where}.default", errors) or Operator("redact")
    if default.name not in ("redact", "nullify"):
        errors.add(f"{where}.default", "must be redact or nullify (deny by default)")
    description = data.get("description", "")
    return Role(
        name=name,
        description=description if isinstance(description, str) else "",
        raw=raw,
        operators=built,
        default=default,
        row_filter=_row_filter(data.get("row_filter"), f"{where}.row_filter", errors),
        permissions=_string_list(data.get("permissions"), f"{where}.permissions", errors),
    )


def policy_from_data(data: Any, origin: str) -> Policy:
    """Validate parsed YAML; raises ConfigError listing every problem with its position."""
    errors = _Errors(origin)
    if not isinstance(data, dict):
        errors.add("", "the policy must be a mapping with classes and roles")
        errors.raise_if_any()
    for key in sorted(set(data) - _TOP_KEYS):
        errors.add(str(key), f"unknown top-level key{_suggest(str(key), sorted(_TOP_KEYS))}")
    if data.get("version", 1) != 1:
        errors.add("version", "only version 1 is supported")
    detectors = _string_list(data.get("detectors", list(DETECTOR_NAMES)), "detectors", errors)
    for name in detectors:
        if name not in DETECTOR_NAMES:
            errors.add("detectors", f"unknown detector {name!r}{_suggest(name, list(DETECTOR_NAMES))}")
    roles_data = data.get("roles")
    if not isinstance(roles_data, dict) or not roles_data:
        errors.add("roles", "at least one role is required")
        roles_data = {}
    roles = {str(name): _role(str(name), body, errors) for name, body in roles_data.items()}
    policy = Policy(
        classes=_classes(data.get("classes"), errors),
        roles={name: role for name, role in roles.items() if role is not None},
        json_keys=_json_keys(data.get("json_keys"), errors),
        detectors=detectors,
        origin=origin,
        allow=_allow(data.get("allow"), errors),
        ignore=_ignore(data.get("ignore"), errors),
    )
    errors.raise_if_any()
    return policy


def load_policy_file(path: Path) -> Policy:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"policy file {path} does not exist", hint="check `policy:` / TRAILMASK_POLICY") from None
    except OSError as exc:
        raise ConfigError(f"cannot read policy file {path}: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"policy file {path} is not valid YAML{where}") from None
    return policy_from_data(data, str(path))


def default_policy() -> Policy:
    """The built-in policy shipped as package data (default_policy.yaml)."""
    text = resources.files("trailmask.masking").joinpath("default_policy.yaml").read_text(encoding="utf-8")
    return policy_from_data(yaml.safe_load(text), "built-in default policy")
