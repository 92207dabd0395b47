"""Settings precedence, validation, secrets, and documentation coverage."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from trailmask.config import ENV_VARS, FILE_KEYS, Secret, Settings, load_settings, with_sections
from trailmask.errors import ConfigError

DOC = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"


def test_precedence_cli_over_env_over_file_over_default(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("db: from-file.duckdb\nport: 9000\nmax_rows: 5\n")
    env = {"TRAILMASK_CONFIG": str(config), "TRAILMASK_PORT": "9100"}
    settings = load_settings({"port": 9200}, env=env)
    assert settings.port == 9200
    assert load_settings({}, env=env).port == 9100
    assert settings.db == tmp_path / "from-file.duckdb"  # relative to the config file
    assert settings.max_rows == 5
    assert settings.query_timeout_s == 30.0  # default


def test_invalid_values_name_their_origin(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="TRAILMASK_PORT"):
        load_settings({}, env={"TRAILMASK_PORT": "eighty"})
    config = tmp_path / "c.yaml"
    config.write_text("engine: oracle\n")
    with pytest.raises(ConfigError, match=r"'engine' in .*c\.yaml"):
        load_settings({"config_file": str(config)}, env={})
    config.write_text("- not a mapping\n")
    with pytest.raises(ConfigError, match="mapping"):
        load_settings({"config_file": str(config)}, env={})
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings({"config_file": str(tmp_path / "missing.yaml")}, env={})


def test_secret_never_shows_its_value() -> None:
    secret = Secret("hunter2-key")
    assert "hunter2" not in repr(secret)
    assert "hunter2" not in str(secret)
    assert "hunter2" not in f"{secret}"
    assert secret.reveal() == "hunter2-key"


def test_every_setting_env_var_and_yaml_key_is_documented() -> None:
    text = DOC.read_text()
    for field in fields(Settings):
        assert f"`{field.name}`" in text, field.name
    for var in ENV_VARS:
        assert f"`{var}`" in text, var
    for key in FILE_KEYS:
        assert re.search(rf"\| `{re.escape(key)}` \|", text), key


def _load(tmp_path: Path, text: str) -> Settings:
    config = tmp_path / "c.yaml"
    config.write_text(text, encoding="utf-8")
    return load_settings({"config_file": str(config)}, env={})


def test_unknown_top_level_key_fails_closed_naming_the_nearest_key(tmp_path: Path) -> None:
    """Regression (issue 10.9): ``polciy:`` was kept in Settings.extra and the default policy ran."""
    (tmp_path / "my-policy.yaml").write_text("roles: {}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown key 'polciy' in config file .*c\.yaml") as caught:
        _load(tmp_path, "polciy: my-policy.yaml\n")
    assert caught.value.hint == "did you mean 'policy'?"
    with pytest.raises(ConfigError) as far:
        _load(tmp_path, "zzzz: 1\n")
    assert far.value.hint is not None and "valid keys:" in far.value.hint and "policy" in far.value.hint
    assert not hasattr(Settings(), "extra")


@pytest.mark.parametrize(
    ("text", "key", "near"),
    [
        ("serve:\n  max_body: 5\n", "serve.max_body", "serve.max_body_bytes"),
        ("serve:\n  rate_limit:\n    per_secnd: 5\n", "serve.rate_limit.per_secnd", "serve.rate_limit.per_second"),
        ("audit:\n  store_sql: true\n", "audit.store_sql", "audit.store_sql_text"),
        ("spark:\n  timeout_factr: 2\n", "spark.timeout_factr", "spark.timeout_factor"),
        ("athena:\n  tabel: x\n", "athena.tabel", "athena.table"),
        ("oidc:\n  isuer: https://x/\n", "oidc.isuer", "oidc.issuer"),
    ],
)
def test_unknown_nested_key_names_the_nearest(tmp_path: Path, text: str, key: str, near: str) -> None:
    with pytest.raises(ConfigError, match=f"unknown key '{re.escape(key)}'") as caught:
        _load(tmp_path, text)
    assert caught.value.hint == f"did you mean '{near}'?"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("port: [1]\n", "'port'"),
        ("max_rows: true\n", "'max_rows'"),
        ("serve: 3\n", "'serve'"),
        ("serve:\n  max_body_bytes: lots\n", "'serve.max_body_bytes'"),
        ("serve:\n  rate_limit:\n    burst: 0\n", "'serve.rate_limit.burst'"),
        ("audit:\n  store_sql_text: yes please\n", "'audit.store_sql_text'"),
        ("spark:\n  cache: maybe\n", "'spark.cache'"),
        ("spark:\n  spark.jars: [a, b]\n", "'spark.spark.jars'"),
        ("spark:\n  log_level: loud\n", "'spark.log_level'"),
        ("oidc:\n  roles: [a]\n", "'oidc.roles'"),
        ("watches: {a: 1}\n", "'watches'"),
        ("watches: [1, 2]\n", "'watches'"),
        ("destinations: [a]\n", "'destinations'"),
        ("destinations:\n  ops: 3\n", "'destinations'"),
        ("suppressions: {a: 1}\n", "'suppressions'"),
        ("host: null\n", "'host'"),
    ],
)
def test_wrong_types_name_the_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError, match=f"invalid value for {re.escape(key)} in .*c\\.yaml"):
        _load(tmp_path, text)


def test_sections_are_parsed_once_into_typed_settings(tmp_path: Path) -> None:
    settings = _load(
        tmp_path,
        "serve:\n  max_body_bytes: 2048\n  rate_limit: {per_second: 5}\n  state_file: state.sqlite\n"
        "  approval_ttl_s: 60\n"
        "audit:\n  path: logs/a.jsonl\n  store_sql_text: true\n"
        "athena:\n  table: sec.ct\n"
        "watches:\n  - {name: root-login, runbook: root-account-usage}\n"
        "destinations:\n  ops: {type: webhook, url: 'http://127.0.0.1:9/x'}\n"
        "suppressions: suppress.yaml\n",
    )
    assert settings.serve.max_body_bytes == 2048
    assert (settings.serve.rate_per_second, settings.serve.rate_burst) == (5.0, 10)
    assert settings.serve.state_file == tmp_path / "state.sqlite"  # relative to the config file
    assert settings.serve.approval_ttl_s == 60.0
    assert settings.audit.path == tmp_path / "logs" / "a.jsonl"
    assert settings.audit.store_sql_text is True and settings.audit.key_file is None
    assert settings.athena.table == "sec.ct"
    assert [dict(w) for w in settings.watches] == [{"name": "root-login", "runbook": "root-account-usage"}]
    assert dict(settings.destinations["ops"]) == {"type": "webhook", "url": "http://127.0.0.1:9/x"}
    assert settings.suppressions == tmp_path / "suppress.yaml"
    defaults = Settings()
    assert (defaults.serve.rate_burst, defaults.serve.max_concurrent_queries) == (40, 2)
    assert defaults.watches == () and dict(defaults.destinations) == {} and defaults.suppressions is None


def test_with_sections_checks_like_the_file(tmp_path: Path) -> None:
    changed = with_sections(Settings(), serve={"rate_limit": {"per_second": 1000}})
    assert changed.serve.rate_per_second == 1000.0
    with pytest.raises(ConfigError, match=r"unknown key 'serve\.rate'"):
        with_sections(Settings(), serve={"rate": 1})
    with pytest.raises(ConfigError, match="unknown key 'polcy'"):
        with_sections(Settings(), polcy="x")
