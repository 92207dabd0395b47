"""Dashboards as code: a YAML file of panels, each one runbook with parameters and a visualisation.

Strict like the runbook loader: an unknown key is a ConfigError naming the file, the key and the
nearest valid one; a panel names a runbook of the catalogue and only parameters that runbook
declares (checked against the catalogue with :func:`check_against`). The built-in dashboards ship
in ``runbooks/data/dashboards/``; a team's own load from the folders in ``dashboards:`` in config.
A panel never carries SQL: it runs through the runbook route, as the signed-in role.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from trailmask.errors import ConfigError
from trailmask.runbooks.loader import StrictLoader
from trailmask.runbooks.model import Runbook
from trailmask.runbooks.params import parse_duration

BUILTIN_DIR = Path(__file__).resolve().parent / "data" / "dashboards"
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
COLUMN_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
TOP_KEYS = ("id", "title", "description", "window", "refresh", "health_checks", "panels")
PANEL_KEYS = ("id", "title", "runbook", "params", "chart", "size", "description")
CHART_KEYS = ("type", "time", "series", "category", "value")
CHART_TYPES = ("timeseries", "bar", "number", "table")
SIZES = ("small", "medium", "large", "full")
REFRESH = ("off", "1m", "5m", "15m", "1h")


@dataclass(frozen=True)
class Chart:
    type: str = "timeseries"
    time: str | None = None  # None: the result's first time column (eventTime, first_seen, ...)
    series: str | None = None
    category: str | None = None
    value: str | None = None  # None: count rows


@dataclass(frozen=True)
class Panel:
    id: str
    title: str
    runbook: str
    params: Mapping[str, Any] = field(default_factory=dict)
    chart: Chart = Chart()
    size: str = "medium"
    description: str = ""


@dataclass(frozen=True)
class Dashboard:
    id: str
    title: str
    description: str
    window: str  # the time picker's default: a duration (24h, 7d) or "all"
    refresh: str
    panels: tuple[Panel, ...]
    origin: str = "builtin"
    health_checks: bool = False  # show the health watches' last runs (GET /api/status "health")
    source: str = ""  # the file it was read from, for error messages


def _fail(where: str, message: str) -> ConfigError:
    return ConfigError(f"dashboard {where}: {message}")


def _keys(raw: Any, valid: tuple[str, ...], where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _fail(where, "must be a mapping")
    for key in raw:
        if str(key) not in valid:
            near = difflib.get_close_matches(str(key), valid, n=1, cutoff=0.6)
            raise _fail(where, f"unknown key '{key}'" + (f" (did you mean '{near[0]}'?)" if near else ""))
    return {str(k): v for k, v in raw.items()}


def _text(raw: dict[str, Any], key: str, where: str, *, required: bool = True, default: str = "") -> str:
    value = raw.get(key)
    if value is None:
        if required:
            raise _fail(where, f"'{key}' is required")
        return default
    if not isinstance(value, str) or (required and not value.strip()):
        raise _fail(where, f"'{key}' must be a non-empty string")
    return value


def _choice(raw: dict[str, Any], key: str, choices: tuple[str, ...], default: str, where: str) -> str:
    value = raw.get(key, default)
    if value not in choices:
        raise _fail(where, f"'{key}' must be one of {', '.join(choices)}")
    return str(value)


def _column(raw: dict[str, Any], key: str, where: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not COLUMN_PATTERN.match(value):
        raise _fail(where, f"'{key}' must name an output column")
    return value


def _chart(raw: Any, where: str) -> Chart:
    if raw is None:
        return Chart()
    data = _keys(raw, CHART_KEYS, f"{where}.chart")
    kind = _choice(data, "type", CHART_TYPES, "timeseries", f"{where}.chart")
    columns = {k: _column(data, k, f"{where}.chart") for k in ("time", "series", "category", "value")}
    if kind == "bar" and not columns["category"]:
        raise _fail(f"{where}.chart", "a bar chart needs 'category' (the column on the axis)")
    return Chart(type=kind, **columns)


def _panel(raw: Any, where: str) -> Panel:
    data = _keys(raw, PANEL_KEYS, where)
    panel_id = _text(data, "id", where)
    if not ID_PATTERN.match(panel_id):
        raise _fail(where, f"panel id '{panel_id}' must match {ID_PATTERN.pattern}")
    params = data.get("params") or {}
    if not isinstance(params, dict) or any(isinstance(v, dict) for v in params.values()):
        raise _fail(where, "'params' must map parameter names to values")
    return Panel(
        id=panel_id,
        title=_text(data, "title", where),
        runbook=_text(data, "runbook", where),
        params={str(k): v for k, v in params.items()},
        chart=_chart(data.get("chart"), where),
        size=_choice(data, "size", SIZES, "medium", where),
        description=_text(data, "description", where, required=False),
    )


def parse_dashboard(raw: Any, where: str, origin: str = "builtin") -> Dashboard:
    data = _keys(raw, TOP_KEYS, where)
    dashboard_id = _text(data, "id", where)
    if not ID_PATTERN.match(dashboard_id):
        raise _fail(where, f"id '{dashboard_id}' must match {ID_PATTERN.pattern}")
    window = str(data.get("window", "24h"))
    if window != "all":
        try:
            parse_duration(window)
        except ValueError as exc:
            raise _fail(where, f"'window' must be a duration such as 24h or 'all' ({exc})") from None
    health_checks = data.get("health_checks", False)
    if not isinstance(health_checks, bool):
        raise _fail(where, "'health_checks' must be true or false")
    panels_raw = data.get("panels")
    if not isinstance(panels_raw, list) or not panels_raw:
        raise _fail(where, "'panels' must be a non-empty list")
    panels = tuple(_panel(p, f"{where} panel {i + 1}") for i, p in enumerate(panels_raw))
    seen = [p.id for p in panels]
    if len(set(seen)) != len(seen):
        raise _fail(where, "panel ids must be unique")
    return Dashboard(
        id=dashboard_id,
        title=_text(data, "title", where),
        description=_text(data, "description", where, required=False),
        window=window,
        refresh=_choice(data, "refresh", REFRESH, "off", where),
        panels=panels,
        origin=origin,
        source=where,
        health_checks=health_checks,
    )


def load_dashboard_file(path: Path, origin: str = "builtin") -> Dashboard:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=StrictLoader)  # noqa: S506 - a safe loader
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"dashboard {path}: cannot be read as YAML ({type(exc).__name__})") from None
    return parse_dashboard(raw, str(path), origin)


def _files(folder: Path) -> list[Path]:
    if folder.is_file():
        return [folder]
    if not folder.is_dir():
        raise ConfigError(f"dashboards folder {folder} does not exist", hint="check 'dashboards:' in the config file")
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def load_dashboards(paths: Iterable[Path] = ()) -> dict[str, Dashboard]:
    """Built-in dashboards overlaid with the configured ones (a configured id replaces a built-in)."""
    found = {d.id: d for d in (load_dashboard_file(p) for p in _files(BUILTIN_DIR))}
    configured: dict[str, Path] = {}
    for folder in paths:
        for path in _files(folder):
            dashboard = load_dashboard_file(path, origin=str(folder))
            if dashboard.id in configured:
                raise ConfigError(
                    f"dashboard id '{dashboard.id}' is defined twice: {configured[dashboard.id]} and {path}"
                )
            configured[dashboard.id] = path
            found[dashboard.id] = dashboard
    return dict(sorted(found.items()))


def check_against(dashboard: Dashboard, runbooks: Mapping[str, Runbook]) -> None:
    """Every panel names a known runbook, parameters it declares and, when given, its output columns."""
    for panel in dashboard.panels:
        where = f"'{dashboard.id}' ({dashboard.source}) panel '{panel.id}'"
        runbook = runbooks.get(panel.runbook)
        if runbook is None:
            near = difflib.get_close_matches(panel.runbook, list(runbooks), n=1)
            raise _fail(where, f"unknown runbook '{panel.runbook}'" + (f" (did you mean '{near[0]}'?)" if near else ""))
        declared = {p.name for p in runbook.parameters}
        for name in panel.params:
            if name not in declared:
                raise _fail(where, f"runbook '{runbook.id}' has no parameter '{name}'")
        outputs = {c.name for c in runbook.output}
        chart = panel.chart
        for column in (chart.time, chart.series, chart.category, chart.value):
            if column is not None and column not in outputs:
                raise _fail(where, f"runbook '{runbook.id}' has no output column '{column}'")
