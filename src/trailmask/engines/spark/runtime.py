"""The process's one SparkSession: started on first use with trailmask's settings.

``spark.master`` (config ``spark: {spark.master: ...}``) says where it runs: ``local[*]`` (the
default: this process, one thread per core) or a cluster (``spark://HOST:7077`` for a standalone
master; see docs/scale.md). One process holds one session: asking for another master while one
runs is refused (:func:`stop_session` ends it first).

Defaults suit one machine (one thread per core, two shuffle partitions, no UI, only 127.0.0.1, no adaptive
re-planning or locality waits, which cost more than they save on one machine) and can be
overridden with Spark properties from the config file (``spark:`` section, see docs/scale.md). The
session's time zone is UTC and its default timestamp type ``TIMESTAMP_NTZ``, matching the store's
naive UTC timestamps; Hive partition values are read as strings (an account id stays text).

Logging: Spark's and PySpark's own log output is off by default. Their messages can quote values
(a failed cast, a failed task's input), and trailmask reports failures itself without them (see
service.query); ``spark: {log_level: error}`` turns them on for debugging. Task threads get a
16 MB stack (``-Xss16m``), in the driver and in executors: regular expressions over long free
text recurse in Java.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path

from pyspark.sql import SparkSession

from trailmask.errors import ConfigError

DEFAULTS: dict[str, str] = {
    "spark.master": "local[*]",
    # Spark's own default (1g) ran a masked export of 20k events out of memory in local mode (where
    # the driver does all the work): an opaque Py4JJavaError after 4 minutes; 4g exported them.
    "spark.driver.memory": "4g",
    "spark.app.name": "trailmask",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.timestampType": "TIMESTAMP_NTZ",
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    "spark.sql.sources.parallelPartitionDiscovery.threshold": "4096",
    "spark.sql.adaptive.enabled": "false",
    "spark.locality.wait": "0",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}
# Properties results depend on (timestamps mean UTC wall-clock time, as in the store).
FIXED = ("spark.sql.session.timeZone", "spark.sql.timestampType")
LOG_LEVELS = ("off", "fatal", "error", "warn", "info", "debug")
JAVA_OPTIONS = "-Xss16m"
QUIET_LOGGERS = ("SQLQueryContextLogger", "py4j", "pyspark")

_LOG4J = """\
rootLogger.level = {level}
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{{HH:mm:ss}} %p %c{{1}}: %m%n
logger.repl.name = org.apache.spark.repl.Main
logger.repl.level = {level}
"""

_lock = threading.Lock()
_session: SparkSession | None = None


def java_executable() -> str | None:
    """The ``java`` Spark will start (JAVA_HOME first, then PATH), or None."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def _log_config(level: str) -> str:
    """The log4j2 file for ``level``: one per user and level in the temp folder, replaced atomically."""
    path = Path(tempfile.gettempdir()) / f"trailmask-spark-log4j2-{os.getuid()}-{level}.properties"
    handle, name = tempfile.mkstemp(prefix=path.name, dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(_LOG4J.format(level=level))
    os.replace(name, path)
    return str(path)


def properties(overrides: Mapping[str, object] | None = None, *, log_level: str = "off") -> dict[str, str]:
    """Spark properties for a new session: defaults, then ``overrides`` (FIXED ones refused)."""
    if log_level not in LOG_LEVELS:
        raise ConfigError(f"spark log_level {log_level!r} is not one of {', '.join(LOG_LEVELS)}")
    merged = dict(DEFAULTS)
    for key, value in (overrides or {}).items():
        if key in FIXED:
            raise ConfigError(f"spark property {key} cannot be changed", hint="trailmask needs UTC and TIMESTAMP_NTZ")
        merged[str(key)] = str(value).lower() if isinstance(value, bool) else str(value)
    logging_option = f"-Dlog4j2.configurationFile=file:{_log_config(log_level)}"
    for side in ("driver", "executor"):  # executors: a cluster's own JVMs (local mode has none)
        options = merged.get(f"spark.{side}.extraJavaOptions", "")
        merged[f"spark.{side}.extraJavaOptions"] = " ".join(filter(None, [JAVA_OPTIONS, logging_option, options]))
    return merged


def _alive(session: SparkSession) -> bool:
    context = session.sparkContext
    return getattr(context, "_jsc", None) is not None and not context._jsc.sc().isStopped()


def spark_session(overrides: Mapping[str, object] | None = None, *, log_level: str = "off") -> SparkSession:
    """The process's SparkSession, started on first call (later arguments are ignored)."""
    global _session
    with _lock:
        master = str((overrides or {}).get("spark.master", DEFAULTS["spark.master"]))
        if _session is not None and _alive(_session):
            running = _session.sparkContext.master
            if running != master:
                raise ConfigError(
                    f"this process already runs a Spark session on {running}; it cannot also use {master}",
                    hint="one process, one spark.master: use separate processes",
                )
            return _session
        if java_executable() is None:
            raise ConfigError(
                "the spark engine needs Java (17 or later), and none was found",
                hint="install a JDK and set JAVA_HOME, or use --engine duckdb",
            )
        for name in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.CRITICAL if log_level == "off" else logging.ERROR)
        builder = SparkSession.builder
        for key, value in properties(overrides, log_level=log_level).items():
            builder = builder.config(key, value)
        _session = builder.getOrCreate()
        _session.sparkContext.setLogLevel(log_level.upper())
        return _session


def stop_session() -> None:
    """Stop the process's SparkSession (a cluster's executors are released); the next use starts anew."""
    global _session
    with _lock:
        if _session is not None:
            _session.stop()
            _session = None
