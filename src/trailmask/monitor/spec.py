"""Typed watch and destination specs, parsed from the config's raw ``watches`` / ``destinations``.

Fails closed: an unknown key is a ConfigError naming the nearest valid key, a wrong value names the
watch (or destination) and the key. Secrets are never in the spec itself: a destination names an
environment variable (``secret_env``) or a file (``secret_file``) that holds it.

A watch::

    - name: root-activity
      runbook: root-account-activity
      params: {}
      schedule: {cron: "*/5 * * * *"}     # or {every: 10m}
      role: investigator                  # whose masked view the alert carries
      condition: {any_new_row: true}      # or {threshold: {column: n, op: ">=", value: 5}}
      dedup: [recipientAccountId, eventName]
      destinations: [oncall-pager, team-slack]
      resolve: true                       # resolve an open alert once a run no longer matches its key
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from trailmask.errors import ConfigError
from trailmask.monitor.cron import Cron, parse_cron

WATCH_KEYS = (
    "name", "runbook", "check", "params", "schedule", "role", "condition", "dedup", "destinations", "enabled",
    "resolve",
)  # fmt: skip
HEALTH_CHECKS = ("masking-canary", "policy-drift", "audit-chain", "raw-access", "verify")
FEED_CHECKS = ("raw-access",)  # checks whose alerts are a feed: each stays open, none is a fault
# Watches every store has from the start (docs/monitoring.md "Health watches"). A configured watch
# with one of these names is merged over it (add destinations, change the schedule, enabled: false).
BUILTIN_WATCHES: tuple[dict[str, Any], ...] = (
    {"name": "health-masking", "check": "masking-canary", "schedule": {"every": "1h"}, "role": "admin",
     "dedup": ["role", "field", "form"], "destinations": [], "resolve": True},
    {"name": "health-policy-drift", "check": "policy-drift", "schedule": {"every": "1h"}, "role": "admin",
     "dedup": ["kind", "path"], "destinations": [], "resolve": True},
    {"name": "health-delivery-gaps", "runbook": "health-delivery-gaps", "schedule": {"every": "15m"},
     "role": "investigator", "dedup": ["recipientAccountId", "awsRegion"], "destinations": [], "resolve": True},
    {"name": "health-audit-chain", "check": "audit-chain", "schedule": {"every": "1h"}, "role": "admin",
     "dedup": ["kind", "position"], "destinations": [], "resolve": True},
    # a feed: each raw access alerts once and stays (nothing to resolve)
    {"name": "health-raw-access", "check": "raw-access", "schedule": {"every": "5m"}, "role": "admin",
     "dedup": ["audit_id"], "destinations": [], "resolve": False},
    # the whole `trailmask verify` takes minutes: once a day, at 03:30 UTC
    {"name": "health-verify", "check": "verify", "schedule": {"cron": "30 3 * * *"}, "role": "admin",
     "dedup": ["role", "query", "kind", "field", "form"], "destinations": [], "resolve": True},
)  # fmt: skip
SCHEDULE_KEYS = ("cron", "every")
CONDITION_KEYS = ("any_new_row", "threshold")
THRESHOLD_KEYS = ("column", "op", "value")
OPERATORS = (">", ">=", "<", "<=", "==", "!=")
DESTINATION_KEYS: dict[str, tuple[str, ...]] = {
    "webhook": ("url", "secret_env", "secret_file", "timeout_s"),
    "slack": ("url", "secret_env", "secret_file", "timeout_s"),
    "pagerduty": ("url", "secret_env", "secret_file", "timeout_s", "severity"),
    "email": ("host", "port", "starttls", "sender", "to", "username", "secret_env", "secret_file", "timeout_s"),
    "file": ("path",),
}
COMMON_DESTINATION_KEYS = ("type", "retries", "backoff_s")
_DURATION = re.compile(r"^(\d+)\s*([smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Threshold:
    column: str
    op: str
    value: float

    def holds(self, observed: Any) -> bool:
        if isinstance(observed, bool) or not isinstance(observed, int | float):
            return False
        return {
            ">": observed > self.value,
            ">=": observed >= self.value,
            "<": observed < self.value,
            "<=": observed <= self.value,
            "==": observed == self.value,
            "!=": observed != self.value,
        }[self.op]


@dataclass(frozen=True)
class Schedule:
    """Either a cron expression or a fixed interval in seconds."""

    cron: Cron | None = None
    every_s: int | None = None

    def describe(self) -> str:
        return f"cron {self.cron.text}" if self.cron else f"every {self.every_s}s"


@dataclass(frozen=True)
class Watch:
    name: str
    runbook: str  # "" for a health check watch
    params: Mapping[str, Any]
    schedule: Schedule
    role: str
    threshold: Threshold | None  # None: any new row matches
    dedup: tuple[str, ...]
    destinations: tuple[str, ...]
    enabled: bool = True
    resolve: bool = False  # send a resolve (PagerDuty resolve) when a run no longer matches an open key
    check: str | None = None  # a built-in health check (service.health) instead of a runbook
    builtin: bool = False


@dataclass(frozen=True)
class Destination:
    name: str
    type: str
    options: Mapping[str, Any]
    retries: int = 3
    backoff_s: float = 1.0


def _unknown(key: str, valid: Iterable[str], where: str) -> ConfigError:
    names = sorted(valid)
    near = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    hint = f"did you mean '{near[0]}'?" if near else "valid keys: " + ", ".join(names)
    return ConfigError(f"unknown key '{key}' in {where}", hint=hint)


def _keys(raw: Mapping[str, Any], valid: Sequence[str], where: str) -> None:
    for key in raw:
        if str(key) not in valid:
            raise _unknown(str(key), valid, where)


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"invalid value for {where}: must be a mapping")
    return value


def duration_seconds(text: Any, where: str) -> int:
    found = _DURATION.match(str(text).strip())
    if not found or int(found.group(1)) == 0:
        raise ConfigError(f"invalid value for {where}: '{text}' is not a duration like 30s, 5m, 1h or 1d")
    return int(found.group(1)) * _UNITS[found.group(2)]


def _schedule(raw: Any, where: str) -> Schedule:
    spec = _mapping(raw, where)
    _keys(spec, SCHEDULE_KEYS, where)
    if len(spec) != 1:
        raise ConfigError(f"invalid value for {where}: give exactly one of 'cron' or 'every'")
    if "cron" in spec:
        try:
            return Schedule(cron=parse_cron(str(spec["cron"])))
        except ValueError as exc:
            raise ConfigError(f"invalid value for {where}.cron: {exc}") from None
    return Schedule(every_s=duration_seconds(spec["every"], f"{where}.every"))


def _condition(raw: Any, where: str) -> Threshold | None:
    if raw is None:
        return None
    spec = _mapping(raw, where)
    _keys(spec, CONDITION_KEYS, where)
    if len(spec) != 1:
        raise ConfigError(f"invalid value for {where}: give exactly one of 'any_new_row' or 'threshold'")
    if "any_new_row" in spec:
        if spec["any_new_row"] is not True:
            raise ConfigError(f"invalid value for {where}.any_new_row: must be true")
        return None
    threshold = _mapping(spec["threshold"], f"{where}.threshold")
    _keys(threshold, THRESHOLD_KEYS, f"{where}.threshold")
    op = str(threshold.get("op", ">="))
    if op not in OPERATORS:
        raise ConfigError(f"invalid value for {where}.threshold.op: must be one of {', '.join(OPERATORS)}")
    value = threshold.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"invalid value for {where}.threshold.value: must be a number")
    if not threshold.get("column"):
        raise ConfigError(f"missing key {where}.threshold.column: the result column to compare")
    return Threshold(str(threshold["column"]), op, float(value))


def _names(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"invalid value for {where}: must be a list of names")
    return tuple(value)


def parse_watch(
    raw: Mapping[str, Any], index: int, destinations: Mapping[str, Destination], *, builtin: bool = False
) -> Watch:
    label = raw.get("name") if isinstance(raw.get("name"), str) else f"#{index + 1}"
    where = f"watch '{label}'"
    _keys(raw, WATCH_KEYS, where)
    if ("runbook" in raw) == ("check" in raw):
        raise ConfigError(
            f"{where} needs exactly one of 'runbook' or 'check'", hint="checks: " + ", ".join(HEALTH_CHECKS)
        )
    if "check" in raw and raw["check"] not in HEALTH_CHECKS:
        raise ConfigError(f"invalid value for 'check' in {where}: must be one of {', '.join(HEALTH_CHECKS)}")
    required = ("name", "schedule", "role") + (() if builtin else ("destinations",))
    for key in required + (("runbook",) if "runbook" in raw else ()):
        if raw.get(key) in (None, "", []):
            raise ConfigError(f"missing key '{key}' in {where}", hint="docs/monitoring.md lists every watch key")
    if not _NAME.match(str(raw["name"])):
        raise ConfigError(f"invalid value for 'name' in {where}: letters, digits, '.', '_' and '-' (at most 64)")
    targets = _names(raw["destinations"], f"'destinations' in {where}") if raw.get("destinations") else ()
    for target in targets:
        if target not in destinations:
            near = difflib.get_close_matches(target, list(destinations), n=1)
            hint = f"did you mean '{near[0]}'?" if near else "declare it under the top-level 'destinations' key"
            raise ConfigError(f"{where} sends to unknown destination '{target}'", hint=hint)
    enabled, resolve = raw.get("enabled", True), raw.get("resolve", False)
    for key, flag in (("enabled", enabled), ("resolve", resolve)):
        if not isinstance(flag, bool):
            raise ConfigError(f"invalid value for '{key}' in {where}: must be true or false")
    return Watch(
        name=str(raw["name"]),
        runbook=str(raw.get("runbook") or ""),
        params=dict(_mapping(raw.get("params") or {}, f"'params' in {where}")),
        schedule=_schedule(raw["schedule"], f"'schedule' in {where}"),
        role=str(raw["role"]),
        threshold=_condition(raw.get("condition"), f"'condition' in {where}"),
        dedup=_names(raw.get("dedup") or [], f"'dedup' in {where}") if raw.get("dedup") else (),
        destinations=targets,
        enabled=enabled,
        resolve=resolve,
        check=str(raw["check"]) if "check" in raw else None,
        builtin=builtin,
    )


def parse_destination(name: str, raw: Mapping[str, Any]) -> Destination:
    where = f"destination '{name}'"
    kind = raw.get("type")
    if kind not in DESTINATION_KEYS:
        raise ConfigError(f"invalid value for 'type' in {where}: must be one of {', '.join(DESTINATION_KEYS)}")
    _keys(raw, (*COMMON_DESTINATION_KEYS, *DESTINATION_KEYS[str(kind)]), where)
    options = {k: v for k, v in raw.items() if k not in COMMON_DESTINATION_KEYS}
    required = {"file": ("path",), "email": ("host", "sender", "to")}.get(str(kind), ("url",))
    for key in required:
        if not options.get(key):
            raise ConfigError(f"missing key '{key}' in {where}")
    if "url" in options and not str(options["url"]).startswith(("http://", "https://")):
        raise ConfigError(f"invalid value for 'url' in {where}: must start with http:// or https://")
    retries, backoff = raw.get("retries", 3), raw.get("backoff_s", 1.0)
    if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= 10:
        raise ConfigError(f"invalid value for 'retries' in {where}: a whole number 0-10")
    if isinstance(backoff, bool) or not isinstance(backoff, int | float) or backoff < 0:
        raise ConfigError(f"invalid value for 'backoff_s' in {where}: a number of seconds >= 0")
    return Destination(name, str(kind), options, retries, float(backoff))


def parse_monitoring(
    watches: Sequence[Mapping[str, Any]], destinations: Mapping[str, Mapping[str, Any]]
) -> tuple[dict[str, Watch], dict[str, Destination]]:
    """Validate the config's watches and destinations together (a watch may only name known ones)."""
    parsed_destinations = {str(name): parse_destination(str(name), raw) for name, raw in destinations.items()}
    parsed: dict[str, Watch] = {}
    builtins = {str(w["name"]): w for w in BUILTIN_WATCHES}
    seen: set[str] = set()
    for index, raw in enumerate(watches):
        name = str(raw.get("name"))
        if name in seen:
            raise ConfigError(f"two watches are named '{name}'", hint="watch names must be unique")
        seen.add(name)
        if name in builtins:  # merged over the built-in: only what changes needs saying
            base = {
                k: v
                for k, v in builtins[name].items()
                if not ({"runbook", "check"} & set(raw) and k in ("runbook", "check"))
            }
            parsed[name] = parse_watch({**base, **raw}, index, parsed_destinations, builtin=True)
        else:
            parsed[name] = parse_watch(raw, index, parsed_destinations)
    for name, raw in builtins.items():
        if name not in parsed:
            parsed[name] = parse_watch(raw, -1, parsed_destinations, builtin=True)
    return parsed, parsed_destinations
