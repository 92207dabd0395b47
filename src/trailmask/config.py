"""Settings: CLI flag, then ``TRAILMASK_*`` environment variable, then YAML config file, then default.

Secrets (the masking key, OIDC client settings) come from the environment or from files named in
the config, never from the committed YAML itself; :class:`Secret` hides its value in ``repr`` and
``str`` so a settings object can be logged.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from trailmask.errors import ConfigError

DEFAULT_DB = "trailmask.duckdb"
ENGINES = ("duckdb", "spark")


class Secret:
    """A string that never shows itself in repr/str/logs; call :meth:`reveal` to use it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Settings:
    """Resolved settings. Every field is documented in docs/configuration.md (a test checks)."""

    db: Path = Path(DEFAULT_DB)
    config_file: Path | None = None
    engine: str = "duckdb"
    dataset: Path | None = None
    policy_file: Path | None = None
    runbook_paths: tuple[Path, ...] = ()
    masking_key_file: Path | None = None
    server_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    query_timeout_s: float = 30.0
    max_rows: int = 10_000
    memory_limit: str = "2GB"
    oidc: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def base_dir(self) -> Path:
        """Folder that holds the store and its side files (key, audit log)."""
        return self.db.parent if str(self.db.parent) else Path(".")


# env var -> settings field
ENV_VARS: dict[str, str] = {
    "TRAILMASK_DB": "db",
    "TRAILMASK_CONFIG": "config_file",
    "TRAILMASK_ENGINE": "engine",
    "TRAILMASK_DATASET": "dataset",
    "TRAILMASK_POLICY": "policy_file",
    "TRAILMASK_MASKING_KEY_FILE": "masking_key_file",
    "TRAILMASK_SERVER": "server_url",
    "TRAILMASK_HOST": "host",
    "TRAILMASK_PORT": "port",
    "TRAILMASK_QUERY_TIMEOUT": "query_timeout_s",
    "TRAILMASK_MAX_ROWS": "max_rows",
    "TRAILMASK_MEMORY_LIMIT": "memory_limit",
}

# YAML keys (config file) -> settings field
FILE_KEYS: dict[str, str] = {
    "db": "db",
    "engine": "engine",
    "dataset": "dataset",
    "policy": "policy_file",
    "runbooks": "runbook_paths",
    "masking_key_file": "masking_key_file",
    "server": "server_url",
    "host": "host",
    "port": "port",
    "query_timeout": "query_timeout_s",
    "max_rows": "max_rows",
    "memory_limit": "memory_limit",
    "oidc": "oidc",
}


def _coerce(name: str, value: Any, origin: str) -> Any:
    """Convert a raw value to the type of settings field ``name``; errors name the origin."""
    try:
        if name in ("db", "config_file", "dataset", "policy_file", "masking_key_file"):
            return None if value in (None, "") else Path(str(value)).expanduser()
        if name == "runbook_paths":
            items = value if isinstance(value, list) else str(value).split(os.pathsep)
            return tuple(Path(str(p)).expanduser() for p in items if str(p))
        if name == "port" or name == "max_rows":
            number = int(value)
            if number <= 0:
                raise ValueError("must be positive")
            return number
        if name == "query_timeout_s":
            seconds = float(value)
            if seconds <= 0:
                raise ValueError("must be positive")
            return seconds
        if name == "engine":
            if value not in ENGINES:
                raise ValueError(f"must be one of {', '.join(ENGINES)}")
            return str(value)
        if name == "oidc":
            if not isinstance(value, dict):
                raise ValueError("must be a mapping")
            return dict(value)
        return None if value is None else str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"invalid value for {origin}: {exc}") from None


def _read_file(path: Path) -> dict[str, Any]:
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist", hint="check --config / TRAILMASK_CONFIG") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {path} is not valid YAML: {exc}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ConfigError(f"config file {path} must hold a mapping at the top level")
    return loaded


def load_settings(overrides: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Resolve settings: ``overrides`` (CLI flags, None = unset) > env > config file > defaults."""
    env = os.environ if env is None else env
    cli = {k: v for k, v in (overrides or {}).items() if v is not None}
    values: dict[str, Any] = {}
    config_path = cli.get("config_file") or env.get("TRAILMASK_CONFIG")
    extra: dict[str, Any] = {}
    if config_path:
        path = Path(str(config_path)).expanduser()
        data = _read_file(path)
        for key, raw in data.items():
            if key in FILE_KEYS:
                values[FILE_KEYS[key]] = _coerce(FILE_KEYS[key], raw, f"'{key}' in {path}")
            else:
                extra[key] = raw
        values["config_file"] = path
        # relative paths in a config file are relative to that file
        for name in ("db", "dataset", "policy_file", "masking_key_file"):
            if isinstance(values.get(name), Path) and not values[name].is_absolute():
                values[name] = path.parent / values[name]
        if values.get("runbook_paths"):
            values["runbook_paths"] = tuple(p if p.is_absolute() else path.parent / p for p in values["runbook_paths"])
    for var, name in ENV_VARS.items():
        if env.get(var):
            values[name] = _coerce(name, env[var], f"environment variable {var}")
    known = {f.name for f in fields(Settings)}
    for name, raw in cli.items():
        if name not in known:
            raise ConfigError(f"unknown setting {name}")
        values[name] = _coerce(name, raw, f"option --{name.replace('_', '-')}")
    values["extra"] = extra
    return Settings(**values)
