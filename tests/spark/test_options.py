"""The ``spark:`` config section (trailmask.config) and the session properties built from it (no JVM)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from trailmask.config import load_settings
from trailmask.errors import ConfigError


def _options(tmp_path: Path, section: str) -> Any:
    config = tmp_path / "trailmask.yaml"
    config.write_text(section, encoding="utf-8")
    return load_settings({"db": str(tmp_path / "s.duckdb"), "config_file": str(config)}, env={}).spark


def test_section_properties_and_options(tmp_path: Path) -> None:
    options = _options(
        tmp_path,
        "spark:\n  spark.master: local[4]\n  spark.sql.shuffle.partitions: 8\n  cache: true\n"
        "  log_level: ERROR\n  timeout_factor: 5\n",
    )
    assert options.properties == {"spark.master": "local[4]", "spark.sql.shuffle.partitions": 8}
    assert (options.cache, options.log_level, options.timeout_factor) == (True, "error", 5.0)
    assert _options(tmp_path, "db: x.duckdb\n").properties == {}


@pytest.mark.parametrize(
    "section",
    [
        "spark: [1, 2]\n",
        "spark:\n  master: local\n",
        "spark:\n  spark.jars: [a, b]\n",
        "spark:\n  cache: maybe\n",
        "spark:\n  timeout_factor: 0\n",
        "spark:\n  spark.master: 4\n",
        "spark:\n  spark.master: lokal[2]\n",
        "spark:\n  spark.master: spark://127.0.0.1\n",
        "spark:\n  spark.master: local[0]\n",
    ],
)
def test_bad_sections_are_config_errors(tmp_path: Path, section: str) -> None:
    with pytest.raises(ConfigError):
        _options(tmp_path, section)


@pytest.mark.parametrize("master", ["local", "local[*]", "local[3]", "spark://127.0.0.1:7077", "spark://a:1,b:2"])
def test_spark_master_values(tmp_path: Path, master: str) -> None:
    assert _options(tmp_path, f"spark:\n  spark.master: '{master}'\n").properties == {"spark.master": master}


def test_session_properties() -> None:
    runtime = pytest.importorskip("trailmask.engines.spark.runtime")
    merged = runtime.properties({"spark.master": "local[1]", "spark.driver.extraJavaOptions": "-Dx=1"})
    assert merged["spark.master"] == "local[1]"
    assert merged["spark.sql.session.timeZone"] == "UTC"
    assert merged["spark.sql.timestampType"] == "TIMESTAMP_NTZ"
    assert merged["spark.driver.bindAddress"] == "127.0.0.1"
    options = merged["spark.driver.extraJavaOptions"]
    assert options.startswith("-Xss16m -Dlog4j2.configurationFile=file:")
    assert options.endswith(" -Dx=1")
    assert merged["spark.executor.extraJavaOptions"].startswith("-Xss16m ")  # a cluster's executors too
    assert runtime.properties({})["spark.master"] == "local[*]"
    with pytest.raises(ConfigError):
        runtime.properties({"spark.sql.session.timeZone": "Europe/Paris"})
    with pytest.raises(ConfigError):
        runtime.properties({}, log_level="loud")
