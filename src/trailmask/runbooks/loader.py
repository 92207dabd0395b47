"""Read one runbook YAML file into a :class:`~trailmask.runbooks.model.Runbook`, or say exactly why not.

Strict on purpose: unknown keys are errors (a typo such as ``paramters`` must not silently drop the
parameters), and the SQL's ``$name`` placeholders, found by parsing, must equal the declared
parameters. Every error is a ConfigError naming the file and the field.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from trailmask.errors import ConfigError
from trailmask.runbooks.model import (
    RUNBOOK_PERMISSION_PREFIX,
    SEVERITIES,
    Credit,
    Fixture,
    FixtureEvent,
    FollowUp,
    Limits,
    OutputColumn,
    PantherMapping,
    Parameter,
    Runbook,
    Window,
)
from trailmask.runbooks.params import check_declaration, parse_duration
from trailmask.runbooks.window import ALL, window_parameters
from trailmask.sqlkit.placeholders import StatementError, named_placeholders
from trailmask.sqlkit.typed_placeholders import cast_placeholders

WINDOW_BOUNDS = ("start", "end")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
NAME_PATTERN = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
TOP_KEYS = {
    "id", "title", "version", "description", "when", "indicates", "severity", "tags", "window",
    "parameters", "output", "sql", "limits", "follow_up", "fixtures", "references", "panther",
    "credits", "notes",
}  # fmt: skip
PARAM_KEYS = {
    "name", "type", "description", "required", "default", "pattern", "min", "max", "max_length",
    "values", "items", "example",
}  # fmt: skip
FIXTURE_KEYS = {"name", "params", "match", "no_match", "events_file", "expect", "ordered"}


_BASE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present


class StrictLoader(_BASE_LOADER):  # type: ignore[valid-type,misc]
    """YAML 1.2-like scalars: only true/false are booleans, timestamps stay text, and integers
    are plain decimals (no octal, no ``1_000``, no leading zeros).

    PyYAML's YAML 1.1 defaults would turn a CloudTrail ``MFAUsed: No`` into False, an
    ``eventTime`` into a datetime and an account ID ``012345678901`` into an octal number,
    silently changing fixture events. Built on libyaml's parser when available (10x faster).
    """


_REPLACED = ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:int")
StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag not in _REPLACED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _first in "tTfF":
    StrictLoader.yaml_implicit_resolvers.setdefault(_first, []).append(
        ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"))
    )
for _first in "-+0123456789":
    StrictLoader.yaml_implicit_resolvers.setdefault(_first, []).append(
        ("tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"))
    )


def read_yaml(text: str) -> Any:
    """Parse runbook YAML with :class:`StrictLoader`."""
    return yaml.load(text, Loader=StrictLoader)  # noqa: S506 - StrictLoader is a SafeLoader


class _Reader:
    """Typed access to a mapping, with errors that name the file and the field path."""

    def __init__(self, origin: str, data: Any, where: str = "") -> None:
        self.origin = origin
        self.where = where
        if not isinstance(data, dict):
            raise self.error(f"{where or 'the file'} must be a mapping")
        self.data: dict[str, Any] = data

    def error(self, message: str) -> ConfigError:
        return ConfigError(f"runbook {self.origin}: {message}")

    def field(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def check_keys(self, allowed: set[str]) -> None:
        unknown = sorted(set(self.data) - allowed)
        if unknown:
            raise self.error(f"unknown key(s) {', '.join(unknown)} in {self.where or 'the file'}")

    def text(self, key: str, *, required: bool = True, default: str = "") -> str:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.error(f"missing '{self.field(key)}'")
            return default
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise self.error(f"'{self.field(key)}' must be text")
        return str(value).strip()

    def number(self, key: str, kind: type[int] | type[float], default: Any = None) -> Any:
        value = self.data.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self.error(f"'{self.field(key)}' must be a positive number")
        return kind(value)

    def items(self, key: str) -> list[Any]:
        value = self.data.get(key) or []
        if not isinstance(value, list):
            raise self.error(f"'{self.field(key)}' must be a list")
        return value

    def child(self, value: Any, where: str) -> _Reader:
        return _Reader(self.origin, value, where)


def _parameter(reader: _Reader, index: int, raw: Any) -> Parameter:
    item = reader.child(raw, f"parameters[{index}]")
    item.check_keys(PARAM_KEYS)
    name = item.text("name")
    if not NAME_PATTERN.match(name) or name in ("since", "start", "end"):
        raise reader.error(f"parameter name '{name}' must be lower_snake_case and not since/start/end")
    values = item.items("values")
    param = Parameter(
        name=name,
        type=item.text("type", default="string", required=False),
        description=item.text("description"),
        required=bool(item.data.get("required", False)),
        default=item.data.get("default"),
        pattern=item.text("pattern", required=False) or None,
        minimum=item.data.get("min"),
        maximum=item.data.get("max"),
        max_length=item.number("max_length", int),
        values=tuple(str(v) for v in values),
        items=item.text("items", required=False) or None,
        example=item.text("example", required=False) or None,
    )
    problems = check_declaration(param)
    if problems:
        raise reader.error("; ".join(problems))
    return param


def _window(reader: _Reader) -> Window | None:
    raw = reader.data.get("window")
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = {"default": raw}
    item = reader.child(raw, "window")
    item.check_keys({"default", "max"})
    default = item.text("default")
    maximum = item.text("max", required=False) or None
    try:
        if default.lower() != ALL:
            parse_duration(default)
        if maximum:
            parse_duration(maximum)
    except ValueError as exc:
        raise reader.error(f"'window' {exc}") from None
    if maximum and default.lower() == ALL:
        raise reader.error("'window.default' cannot be 'all' when 'window.max' is set")
    return Window(default=default, maximum=maximum)


def _follow_up(reader: _Reader, index: int, raw: Any) -> FollowUp:
    item = reader.child(raw, f"follow_up[{index}]")
    item.check_keys({"why", "runbook", "params"})
    params = item.data.get("params") or {}
    if not isinstance(params, dict):
        raise reader.error(f"'follow_up[{index}].params' must be a mapping")
    return FollowUp(why=item.text("why"), runbook=item.text("runbook", required=False) or None, params=dict(params))


def _fixture_events(reader: _Reader, item: _Reader, base: Path | None) -> list[FixtureEvent]:
    events: list[FixtureEvent] = []
    for key, match in (("match", True), ("no_match", False)):
        for position, event in enumerate(item.items(key)):
            if not isinstance(event, dict):
                raise reader.error(f"'{item.field(key)}[{position}]' must be a CloudTrail record (a mapping)")
            events.append(FixtureEvent(event=event, match=match))
    events_file = item.text("events_file", required=False)
    if events_file:
        events.extend(_read_events_file(reader, (base or Path(".")) / events_file))
    return events


def _read_events_file(reader: _Reader, path: Path) -> list[FixtureEvent]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise reader.error(f"cannot read fixture events file {path}: {exc.strerror}") from None
    events = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            events.append(FixtureEvent(event=row["event"], match=bool(row["match"]), source=str(row.get("source", ""))))
        except (ValueError, KeyError, TypeError):
            raise reader.error(f"{path.name} line {number}: expected {{'match': bool, 'event': {{...}}}}") from None
    return events


def _fixture(reader: _Reader, index: int, raw: Any, base: Path | None) -> Fixture:
    item = reader.child(raw, f"fixtures[{index}]")
    item.check_keys(FIXTURE_KEYS)
    params = item.data.get("params") or {}
    expect = item.data.get("expect")
    if not isinstance(params, dict):
        raise reader.error(f"'fixtures[{index}].params' must be a mapping")
    if expect is not None and (not isinstance(expect, list) or not all(isinstance(r, dict) for r in expect)):
        raise reader.error(f"'fixtures[{index}].expect' must be a list of row mappings")
    return Fixture(
        name=item.text("name"),
        events=tuple(_fixture_events(reader, item, base)),
        params=dict(params),
        expect=None if expect is None else tuple(expect),
        ordered=bool(item.data.get("ordered", False)),
    )


def _panther(reader: _Reader, index: int, raw: Any) -> PantherMapping:
    item = reader.child(raw, f"panther[{index}]")
    item.check_keys({"rule", "agreement", "note", "params"})
    params = item.data.get("params") or {}
    if not isinstance(params, dict):
        raise reader.error(f"'panther[{index}].params' must be a mapping")
    agreement = item.text("agreement", required=False)
    agree = total = None
    if agreement:
        match = re.fullmatch(r"(\d+)/(\d+)", agreement)
        if not match:
            raise reader.error(f"'panther[{index}].agreement' must look like 5/6")
        agree, total = int(match.group(1)), int(match.group(2))
    note = item.text("note", required=False)
    return PantherMapping(rule=item.text("rule"), agree=agree, total=total, note=note, params=dict(params))


def _credit(reader: _Reader, index: int, raw: Any) -> Credit:
    item = reader.child(raw, f"credits[{index}]")
    item.check_keys({"author", "license", "source"})
    return Credit(author=item.text("author"), license=item.text("license"), source=item.text("source", required=False))


def _output(reader: _Reader) -> tuple[OutputColumn, ...]:
    columns = []
    for index, raw in enumerate(reader.items("output")):
        item = reader.child(raw, f"output[{index}]")
        item.check_keys({"name", "description"})
        columns.append(OutputColumn(name=item.text("name"), description=item.text("description")))
    if not columns:
        raise reader.error("'output' must list the result columns (the output contract)")
    names = [c.name for c in columns]
    if len(set(names)) != len(names):
        raise reader.error("'output' lists a column twice")
    return tuple(columns)


def _check_placeholders(reader: _Reader, sql: str, runbook_params: tuple[Parameter, ...]) -> None:
    try:
        found = set(named_placeholders(sql))
    except StatementError as exc:
        raise reader.error(f"'sql': {exc}") from None
    declared = {p.name for p in runbook_params if not (p.window and p.name == "since")}
    undeclared = sorted(found - declared)
    unused = sorted(declared - found)
    if undeclared:
        hint = " (declare 'window:' to get $start and $end)" if {"start", "end"} & set(undeclared) else ""
        raise reader.error(f"'sql' uses undeclared parameter(s) {', '.join('$' + n for n in undeclared)}{hint}")
    if unused:
        raise reader.error(f"declared parameter(s) {', '.join(unused)} never used in 'sql'")


def _typed_window(reader: _Reader, sql: str) -> str:
    """The SQL that runs: ``$start``/``$end`` cast to TIMESTAMP, so a NULL bound (since=all) has a type."""
    try:
        return cast_placeholders(sql, dict.fromkeys(WINDOW_BOUNDS, "TIMESTAMP"))
    except StatementError as exc:
        raise reader.error(f"'sql': {exc}") from None


def parse_runbook(data: Any, *, origin: str, path: Path | None = None, source: str = "builtin") -> Runbook:
    """Build a Runbook from parsed YAML; ``origin`` names it in errors."""
    reader = _Reader(origin, data)
    reader.check_keys(TOP_KEYS)
    runbook_id = reader.text("id")
    if not ID_PATTERN.match(runbook_id):
        raise reader.error(f"id '{runbook_id}' must be lower-case letters, digits and dashes")
    severity = reader.text("severity", default="info", required=False)
    if severity not in SEVERITIES:
        raise reader.error(f"'severity' must be one of {', '.join(SEVERITIES)}")
    window = _window(reader)
    declared = tuple(_parameter(reader, i, raw) for i, raw in enumerate(reader.items("parameters")))
    parameters = (window_parameters(window) if window else ()) + declared
    if len({p.name for p in parameters}) != len(parameters):
        raise reader.error("a parameter is declared twice")
    sql = reader.text("sql")
    _check_placeholders(reader, sql, parameters)
    typed = _typed_window(reader, sql) if window else sql
    limits = reader.child(reader.data.get("limits") or {}, "limits")
    limits.check_keys({"timeout_s", "max_rows"})
    base = path.parent if path else None
    return Runbook(
        id=runbook_id,
        title=reader.text("title"),
        version=int(reader.number("version", int, default=1)),
        description=reader.text("description"),
        when=reader.text("when", required=False),
        indicates=reader.text("indicates", required=False),
        severity=severity,
        sql=typed,
        source_sql=sql,
        output=_output(reader),
        parameters=parameters,
        window=window,
        tags=tuple(str(t) for t in reader.items("tags")),
        follow_up=tuple(_follow_up(reader, i, raw) for i, raw in enumerate(reader.items("follow_up"))),
        permission=f"{RUNBOOK_PERMISSION_PREFIX}{runbook_id}",
        limits=Limits(timeout_s=limits.number("timeout_s", float), max_rows=limits.number("max_rows", int)),
        fixtures=tuple(_fixture(reader, i, raw, base) for i, raw in enumerate(reader.items("fixtures"))),
        references=tuple(str(r) for r in reader.items("references")),
        panther=tuple(_panther(reader, i, raw) for i, raw in enumerate(reader.items("panther"))),
        credits=tuple(_credit(reader, i, raw) for i, raw in enumerate(reader.items("credits"))),
        notes=reader.text("notes", required=False),
        path=path,
        origin=source,
    )


def load_runbook_file(path: Path, *, source: str = "builtin") -> Runbook:
    """Load and validate one ``.yaml`` runbook file."""
    try:
        data = read_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"runbook {path}: cannot read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"runbook {path}: not valid YAML ({exc})") from None
    return parse_runbook(data, origin=str(path), path=path, source=source)
