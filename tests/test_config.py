"""Settings precedence, validation, secrets, and documentation coverage."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from trailmask.config import ENV_VARS, FILE_KEYS, Secret, Settings, load_settings
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
