"""The raw Parquet dataset (``trailmask export --format parquet DIR``) as a Spark view.

The view has exactly the columns of the store's ``events`` table, in its order: columns an older
export lacks are typed NULLs, top-level timestamps (written as UTC instants) become naive UTC
``TIMESTAMP_NTZ`` values, and the Hive partition columns (``account``, ``region``, ``date``) are
left out, as they are not part of ``events``. It is a *global* temporary view, registered once per
process and dataset (the file listing is read once; restart to see files added later), so every
per-query session reads it under the internal name the compiled relation uses. User SQL can
never name it: the sandbox only lets queries read ``events``, which becomes the masked relation.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from pyspark.errors import PySparkException
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import TimestampType

from trailmask.engines.spark.types import quote, spark_type
from trailmask.errors import ConfigError
from trailmask.schema import EVENT_FIELDS, INTERNAL_COLUMNS

VIEW_PREFIX = "tm_events_"
_lock = threading.Lock()
_views: dict[str, str] = {}


def _has_parquet(directory: Path) -> bool:
    return next(directory.rglob("*.parquet"), None) is not None


def _columns(frame: DataFrame) -> list[Column]:
    present = {field.name.lower(): field for field in frame.schema.fields}
    columns = []
    for name, ftype in [*EVENT_FIELDS.items(), *INTERNAL_COLUMNS.items()]:
        field = present.get(name.lower())
        if field is None:
            columns.append(F.lit(None).cast(spark_type(ftype)).alias(name))
        elif isinstance(field.dataType, TimestampType):
            columns.append(F.col(quote(field.name)).cast("timestamp_ntz").alias(name))
        else:
            columns.append(F.col(quote(field.name)).alias(name))
    return columns


def _check(directory: Path) -> None:
    if not directory.is_dir():
        raise ConfigError(
            f"dataset {directory} is not a directory",
            hint="write one with `trailmask export --format parquet DIR` and pass --dataset DIR",
        )
    if not _has_parquet(directory):
        raise ConfigError(
            f"dataset {directory} holds no Parquet files",
            hint="write one with `trailmask export --format parquet DIR` (as admin: the raw events)",
        )


def register_dataset(spark: SparkSession, directory: Path, *, cache: bool = False) -> str:
    """The qualified name (``global_temp.tm_events_<hash>``) of the view over ``directory``.

    ``cache``: keep the dataset in memory once read (a server answering many queries over a
    dataset that fits in memory); the first query pays for reading it all.
    """
    directory = Path(directory).expanduser().resolve()
    with _lock:
        key = f"{spark.sparkContext.applicationId}:{directory}"  # a restarted session registers anew
        if key in _views:
            return _views[key]
        _check(directory)
        name = VIEW_PREFIX + hashlib.sha256(str(directory).encode()).hexdigest()[:16]
        try:
            frame = spark.read.parquet(str(directory))
            frame.select(*_columns(frame)).createOrReplaceGlobalTempView(name)
        except PySparkException as exc:
            raise ConfigError(
                f"dataset {directory} cannot be read as Parquet ({type(exc).__name__})",
                hint="point --dataset at a folder written by `trailmask export --format parquet`",
            ) from None
        database = spark.conf.get("spark.sql.globalTempDatabase", "global_temp")
        _views[key] = f"{database}.{name}"
        if cache:
            spark.catalog.cacheTable(_views[key])
        return _views[key]
