"""Settings: CLI flag, then ``TRAILMASK_*`` environment variable, then YAML config file, then default.

Every section of the config file is parsed once, here, into a typed frozen dataclass
(:class:`ServeSettings`, :class:`AuditSettings`, :class:`SparkSettings`, ...). The file fails
closed: an unknown key anywhere is a ConfigError naming the nearest valid key, a value of the
wrong type is a ConfigError naming the key (docs/configuration.md lists every key).

Secrets (the masking key, OIDC client settings) come from the environment or from files named in
the config, never from the committed YAML itself; :class:`Secret` hides its value in ``repr`` and
``str`` so a settings object can be logged.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from trailmask.errors import ConfigError

DEFAULT_DB = "trailmask.duckdb"
ENGINES = ("duckdb", "spark")
SPARK_LOG_LEVELS = ("off", "fatal", "error", "warn", "info", "debug")


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
class ServeSettings:
    """``serve:`` (docs/server.md): the HTTP server's limits and its state file."""

    max_body_bytes: int = 1_048_576
    rate_per_second: float = 20.0
    rate_burst: int = 40
    max_concurrent_queries: int = 2
    queue_wait_s: float = 30.0
    graceful_timeout_s: float = 30.0
    approval_ttl_s: float = 24 * 3600.0
    state_file: Path | None = None
    # connection hardening (docs/server.md): a request's head and body must arrive in time, an idle
    # keep-alive connection is closed, and at most max_connections are served at once
    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    idle_timeout_s: float = 5.0
    max_connections: int = 64


@dataclass(frozen=True)
class AuditSettings:
    """``audit:`` (docs/audit.md): where the log and its key live, whether SQL text is kept."""

    path: Path | None = None
    key_file: Path | None = None
    store_sql_text: bool = False


@dataclass(frozen=True)
class SparkSettings:
    """``spark:`` (docs/scale.md): ``spark.*`` properties plus trailmask's options."""

    properties: Mapping[str, object] = field(default_factory=dict)
    log_level: str = "off"
    cache: bool = False
    timeout_factor: float = 1.0


@dataclass(frozen=True)
class AthenaSettings:
    """``athena:`` (docs/scale.md): the table ``explain --dialect athena`` writes."""

    table: str = "cloudtrail_trailmask"


@dataclass(frozen=True)
class Settings:
    """Resolved settings. Every field is documented in docs/configuration.md (a test checks)."""

    db: Path = Path(DEFAULT_DB)
    config_file: Path | None = None
    engine: str = "duckdb"
    dataset: Path | None = None
    policy_file: Path | None = None
    runbook_paths: tuple[Path, ...] = ()
    dashboard_paths: tuple[Path, ...] = ()
    masking_key_file: Path | None = None
    server_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    query_timeout_s: float = 30.0
    max_rows: int = 10_000
    memory_limit: str = "2GB"
    oidc: Mapping[str, Any] = field(default_factory=dict)
    serve: ServeSettings = ServeSettings()
    audit: AuditSettings = AuditSettings()
    spark: SparkSettings = SparkSettings()
    athena: AthenaSettings = AthenaSettings()
    watches: tuple[Mapping[str, Any], ...] = ()
    destinations: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    suppressions: Path | None = None


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
    "dashboards": "dashboard_paths",
    "masking_key_file": "masking_key_file",
    "server": "server_url",
    "host": "host",
    "port": "port",
    "query_timeout": "query_timeout_s",
    "max_rows": "max_rows",
    "memory_limit": "memory_limit",
    "oidc": "oidc",
    "serve": "serve",
    "audit": "audit",
    "spark": "spark",
    "athena": "athena",
    "watches": "watches",
    "destinations": "destinations",
    "suppressions": "suppressions",
}

# ---- value checks: each returns the typed value or raises ValueError saying what is expected ----


def _text(value: Any) -> str:
    if isinstance(value, dict | list) or value is None:
        raise ValueError("must be a string")
    return str(value)


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _path(value: Any) -> Path | None:
    return None if value in (None, "") else Path(_text(value)).expanduser()


def _positive(kind: Callable[[Any], float]) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if isinstance(value, bool | dict | list) or value is None:
            raise ValueError("must be a positive number")
        number = kind(value)
        if number <= 0:
            raise ValueError("must be positive")
        return number

    return check


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _mapping(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError("must be a mapping")
    return {str(k): v for k, v in value.items()}


def _engine(value: Any) -> str:
    if value not in ENGINES:
        raise ValueError(f"must be one of {', '.join(ENGINES)}")
    return str(value)


def _paths(value: Any) -> tuple[Path, ...]:
    items = value if isinstance(value, list) else _text(value).split(os.pathsep)
    return tuple(Path(_text(p)).expanduser() for p in items if str(p))


def _strings(value: Any) -> list[str] | str:
    return [_text(v) for v in value] if isinstance(value, list) else _text(value)


def _watches(value: Any) -> tuple[Mapping[str, Any], ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ValueError("must be a list of mappings (one per watch)")
    return tuple(MappingProxyType(dict(item)) for item in value)


def _destinations(value: Any) -> Mapping[str, Mapping[str, Any]]:
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, dict) or not all(isinstance(item, dict) for item in value.values()):
        raise ValueError("must be a mapping of destination name to a mapping")
    return MappingProxyType({str(k): MappingProxyType(dict(v)) for k, v in value.items()})


_SCALARS: dict[str, Callable[[Any], Any]] = {
    "db": _path,
    "config_file": _path,
    "dataset": _path,
    "policy_file": _path,
    "masking_key_file": _path,
    "suppressions": _path,
    "runbook_paths": _paths,
    "dashboard_paths": _paths,
    "port": _positive(int),
    "max_rows": _positive(int),
    "query_timeout_s": _positive(float),
    "engine": _engine,
    "server_url": _optional_text,
    "host": _text,
    "memory_limit": _text,
    "watches": _watches,
    "destinations": _destinations,
}

OIDC_KEYS: dict[str, Callable[[Any], Any]] = {
    "issuer": _text,
    "audience": _strings,
    "jwks_file": _text,
    "jwks_url": _text,
    "role_claim": _text,
    "roles": _mapping,
    "default_role": _optional_text,
    "name_claim": _text,
    "algorithms": _strings,
    "leeway_s": _positive(float),
    "jwks_cache_s": _positive(float),
    "jwks_refetch_s": _positive(float),
}
SERVE_KEYS: dict[str, Callable[[Any], Any]] = {
    "max_body_bytes": _positive(int),
    "rate_limit": _mapping,
    "max_concurrent_queries": _positive(int),
    "queue_wait_s": _positive(float),
    "graceful_timeout_s": _positive(float),
    "approval_ttl_s": _positive(float),
    "state_file": _path,
    "header_timeout_s": _positive(float),
    "body_timeout_s": _positive(float),
    "idle_timeout_s": _positive(float),
    "max_connections": _positive(int),
}
RATE_KEYS: dict[str, Callable[[Any], Any]] = {"per_second": _positive(float), "burst": _positive(int)}
AUDIT_KEYS: dict[str, Callable[[Any], Any]] = {"path": _path, "key_file": _path, "store_sql_text": _boolean}
SPARK_KEYS: dict[str, Callable[[Any], Any]] = {
    "log_level": _text,
    "cache": _boolean,
    "timeout_factor": _positive(float),
}
ATHENA_KEYS: dict[str, Callable[[Any], Any]] = {"table": _text}


def _unknown(key: str, valid: Iterable[str], where: str, prefix: str = "") -> ConfigError:
    names = sorted(valid)
    near = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    hint = f"did you mean '{prefix}{near[0]}'?" if near else "valid keys: " + ", ".join(prefix + n for n in names)
    return ConfigError(f"unknown key '{prefix}{key}' in {where}", hint=hint)


def _section(raw: Any, keys: Mapping[str, Callable[[Any], Any]], name: str, where: str) -> dict[str, Any]:
    """Check a mapping section against its keys: every key known, every value of its type."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"invalid value for '{name}' in {where}: must be a mapping")
    parsed: dict[str, Any] = {}
    for key, value in raw.items():
        check = keys.get(str(key))
        if check is None:
            raise _unknown(str(key), keys, where, prefix=f"{name}.")
        parsed[str(key)] = _apply(check, value, f"'{name}.{key}' in {where}")
    return parsed


def _apply(check: Callable[[Any], Any], value: Any, origin: str) -> Any:
    try:
        return check(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"invalid value for {origin}: {exc}") from None


def _serve(raw: Any, where: str, base: Path | None) -> ServeSettings:
    values = _section(raw, SERVE_KEYS, "serve", where)
    rate = _section(values.pop("rate_limit", None), RATE_KEYS, "serve.rate_limit", where)
    if "per_second" in rate:
        values["rate_per_second"] = rate["per_second"]
    per_second = values.get("rate_per_second", ServeSettings.rate_per_second)
    values["rate_burst"] = rate.get("burst", max(1, int(per_second * 2)))
    values["state_file"] = _relative(values.get("state_file"), base)
    return ServeSettings(**values)


def _audit(raw: Any, where: str, base: Path | None) -> AuditSettings:
    values = _section(raw, AUDIT_KEYS, "audit", where)
    return AuditSettings(**{k: _relative(v, base) if isinstance(v, Path) else v for k, v in values.items()})


SPARK_MASTER = re.compile(r"local(\[(\*|[1-9]\d*)(,[1-9]\d*)?\])?|spark://[\w.-]+:\d+(,[\w.-]+:\d+)*|yarn|k8s://\S+")


def _spark(raw: Any, where: str, _base: Path | None) -> SparkSettings:
    if raw is None:
        return SparkSettings()
    if not isinstance(raw, dict):
        raise ConfigError(f"invalid value for 'spark' in {where}: must be a mapping")
    properties = {str(k): v for k, v in raw.items() if str(k).startswith("spark.")}
    for key, value in properties.items():
        if isinstance(value, dict | list) or value is None:
            raise ConfigError(f"invalid value for 'spark.{key}' in {where}: a spark.* property takes a scalar value")
    master = properties.get("spark.master", "local[*]")
    if not isinstance(master, str) or not SPARK_MASTER.fullmatch(master):
        raise ConfigError(
            f"invalid value for 'spark.spark.master' in {where}: must be local, local[N], local[*] or "
            "spark://HOST:PORT (also yarn, k8s://URL)"
        )
    options = _section({k: v for k, v in raw.items() if not str(k).startswith("spark.")}, SPARK_KEYS, "spark", where)
    level = str(options.pop("log_level", "off")).lower()
    if level not in SPARK_LOG_LEVELS:
        raise ConfigError(
            f"invalid value for 'spark.log_level' in {where}: must be one of {', '.join(SPARK_LOG_LEVELS)}"
        )
    return SparkSettings(properties=MappingProxyType(properties), log_level=level, **options)


def _athena(raw: Any, where: str, _base: Path | None) -> AthenaSettings:
    return AthenaSettings(**_section(raw, ATHENA_KEYS, "athena", where))


def _oidc(raw: Any, where: str, _base: Path | None) -> Mapping[str, Any]:
    return MappingProxyType(_section(raw, OIDC_KEYS, "oidc", where))


_SECTIONS: dict[str, Callable[[Any, str, Path | None], Any]] = {
    "serve": _serve,
    "audit": _audit,
    "spark": _spark,
    "athena": _athena,
    "oidc": _oidc,
}


def _relative(value: Any, base: Path | None) -> Any:
    """Relative paths in a config file are relative to that file (``base`` is its folder)."""
    if isinstance(value, Path) and base is not None and not value.is_absolute():
        return base / value
    return value


def _coerce(name: str, value: Any, origin: str, base: Path | None = None) -> Any:
    """Convert a raw value to the type of settings field ``name``; errors name the origin."""
    if name in _SECTIONS:
        return _SECTIONS[name](value, origin, base)
    parsed = _apply(_SCALARS[name], value, origin)
    if name in ("runbook_paths", "dashboard_paths"):
        return tuple(_relative(p, base) for p in parsed)
    return _relative(parsed, base)


def with_sections(settings: Settings, **sections: Any) -> Settings:
    """``settings`` with config-file sections replaced by ``sections`` (raw YAML values, checked as
    the file's are): ``with_sections(s, serve={"rate_limit": {"per_second": 5}})``."""
    values: dict[str, Any] = {}
    for key, raw in sections.items():
        if key not in FILE_KEYS:
            raise _unknown(key, FILE_KEYS, "the settings")
        name = FILE_KEYS[key]
        values[name] = _coerce(name, raw, "the settings" if name in _SECTIONS else f"'{key}'")
    return replace(settings, **values)


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


def _from_file(path: Path) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, raw in _read_file(path).items():
        name = FILE_KEYS.get(str(key))
        if name is None:
            raise _unknown(str(key), FILE_KEYS, f"config file {path}")
        origin = f"config file {path}" if name in _SECTIONS else f"'{key}' in {path}"
        values[name] = _coerce(name, raw, origin, path.parent)
    values["config_file"] = path
    return values


def load_settings(overrides: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Resolve settings: ``overrides`` (CLI flags, None = unset) > env > config file > defaults."""
    env = os.environ if env is None else env
    cli = {k: v for k, v in (overrides or {}).items() if v is not None}
    config_path = cli.get("config_file") or env.get("TRAILMASK_CONFIG")
    values = _from_file(Path(str(config_path)).expanduser()) if config_path else {}
    for var, name in ENV_VARS.items():
        if env.get(var):
            values[name] = _coerce(name, env[var], f"environment variable {var}")
    known = {f.name for f in fields(Settings)}
    for name, raw in cli.items():
        if name not in known:
            raise ConfigError(f"unknown setting {name}")
        values[name] = _coerce(name, raw, f"option --{name.replace('_', '-')}")
    return Settings(**values)
