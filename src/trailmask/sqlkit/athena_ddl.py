"""Athena DDL for a trailmask Parquet dataset: ``CREATE EXTERNAL TABLE`` with partition projection.

The table reads the Hive-partitioned dataset ``trailmask export --format parquet [--as ROLE]``
writes (``account=.../region=.../date=YYYY-MM-DD/part-N.parquet``) where it was uploaded
(``LOCATION 's3://...'``). Column names are Athena's CloudTrail table's (lower case; Athena
matches Parquet names case-insensitively), types Hive's (``STRING``, ``BOOLEAN``, ``TIMESTAMP``,
``STRUCT<a:T,...>``, ``ARRAY<T>``). Partitions are projected, so no ``MSCK REPAIR`` is needed:

- ``account`` and ``region``: ``enum`` over the values the dataset holds (as the role sees
  them: a masked role's account folders are pseudonyms), written as the folder names are
  (URI-encoded, as the export writes them: ``<x y>`` is ``%3Cx%20y%3E``), and
  ``__HIVE_DEFAULT_PARTITION__`` for none;
- ``date``: ``date`` from the first day in the dataset to ``NOW``, format ``yyyy-MM-dd``, one day
  a step (events without an ``eventTime`` sit under ``__HIVE_DEFAULT_PARTITION__`` and are not
  projected).

The text is generated from names and types trailmask owns and checked by parsing it with
sqlglot's Athena dialect (Hive DDL) before it is returned; the location and enum values are
validated, never pasted unchecked.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import sqlglot
from sqlglot import exp

from trailmask.sqlkit import expr as sx
from trailmask.sqlkit.render import RenderedRelation, to_sql_bound

# A column type: a Hive scalar name, a struct (ordered mapping of field -> type), an array ([type]).
HiveType: TypeAlias = "str | Mapping[str, HiveType] | list[HiveType]"

PARTITIONS = ("account", "region", "date")
DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__"
SCALARS = frozenset({"STRING", "BOOLEAN", "TIMESTAMP", "BIGINT", "INT", "DOUBLE", "DATE"})
_LOCATION = re.compile(r"s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[A-Za-z0-9!_.*()/=-]*)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TABLE = re.compile(r"[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?")
_ENUM_VALUE = re.compile(r"[A-Za-z0-9_.%:+-]+")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class DdlError(ValueError):
    """A value that cannot go into the DDL (a bad location, table name or partition value)."""


@dataclass(frozen=True)
class Projection:
    """The partition values the table projects (see the module docstring)."""

    accounts: tuple[str, ...]
    regions: tuple[str, ...]
    first_day: str  # YYYY-MM-DD


def check_location(location: str) -> str:
    """``s3://bucket/prefix/`` (a trailing slash added); DdlError for anything else."""
    if not _LOCATION.fullmatch(location) or ".." in location or "//" in location[5:]:
        raise DdlError(f"{location!r} is not an s3://BUCKET/PREFIX location")
    return location if location.endswith("/") else location + "/"


def check_table(table: str) -> str:
    if not _TABLE.fullmatch(table):
        raise DdlError(f"{table!r} is not a table name (lower-case letters, digits, _; optionally db.table)")
    return table


def hive_type(kind: HiveType) -> str:
    """``STRUCT<name:TYPE, ...>``, ``ARRAY<TYPE>`` or a scalar; field names lower-cased."""
    if isinstance(kind, list):
        return f"ARRAY<{hive_type(kind[0])}>"
    if isinstance(kind, Mapping):
        return "STRUCT<" + ", ".join(f"{_field(name)}:{hive_type(sub)}" for name, sub in kind.items()) + ">"
    if kind not in SCALARS:
        raise DdlError(f"type {kind!r} has no Athena column type here")
    return kind


def _field(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise DdlError(f"{name!r} cannot be a column name")
    return name.lower()


def folder_value(value: str | None) -> str:
    """A partition value as its folder name holds it (URI-encoded, as pyarrow writes Hive folders)."""
    return DEFAULT_PARTITION if value is None else urllib.parse.quote(value, safe="")


def _values(kind: str, values: Sequence[str]) -> str:
    if not values:
        raise DdlError(f"the dataset has no {kind} partition to project")
    for value in values:
        if not _ENUM_VALUE.fullmatch(value):
            raise DdlError(f"{kind} partition value {value!r} cannot be projected as an enum value")
    return ",".join(sorted(set(values)))


def _property(name: str, value: str) -> str:
    return f"  '{name}'='{value}'"


def create_table(table: str, columns: Mapping[str, HiveType], location: str, projection: Projection) -> str:
    """The ``CREATE EXTERNAL TABLE`` statement (checked by parsing it; see the module docstring)."""
    table, location = check_table(table), check_location(location)
    if not _DAY.fullmatch(projection.first_day):
        raise DdlError(f"{projection.first_day!r} is not a YYYY-MM-DD day")
    clash = [name for name in columns if name.lower() in PARTITIONS]
    if clash:
        raise DdlError(f"column {clash[0]!r} clashes with a partition column")
    body = ",\n".join(f"  {_field(name)} {hive_type(kind)}" for name, kind in columns.items())
    template = location + "account=${account}/region=${region}/date=${date}"
    properties = [
        _property("projection.enabled", "true"),
        _property("projection.account.type", "enum"),
        _property("projection.account.values", _values("account", projection.accounts)),
        _property("projection.region.type", "enum"),
        _property("projection.region.values", _values("region", projection.regions)),
        _property("projection.date.type", "date"),
        _property("projection.date.format", "yyyy-MM-dd"),
        _property("projection.date.range", f"{projection.first_day},NOW"),
        _property("projection.date.interval", "1"),
        _property("projection.date.interval.unit", "DAYS"),
        _property("storage.location.template", template),
    ]
    text = (
        f"CREATE EXTERNAL TABLE {table} (\n{body}\n)\n"
        "PARTITIONED BY (account STRING, region STRING, `date` STRING)\n"
        "STORED AS PARQUET\n"
        f"LOCATION '{location}'\n"
        "TBLPROPERTIES (\n" + ",\n".join(properties) + "\n)"
    )
    parse_ddl(text)
    return text


def parse_ddl(text: str) -> exp.Create:
    """``text`` parsed as one Athena ``CREATE`` statement (DdlError otherwise)."""
    try:
        tree = sqlglot.parse_one(text, read="athena")
    except sqlglot.errors.ParseError as exc:
        raise DdlError(f"the DDL does not parse as Athena SQL: {exc}") from None
    if not isinstance(tree, exp.Create):
        raise DdlError("the DDL is not one CREATE statement")
    return tree


def partition_values_sql(partitioned_sql: str) -> str:
    """``SELECT account, region, min(date) FROM (partitioned) GROUP BY account, region`` (DuckDB)."""
    inner = sx.subquery(RenderedRelation(this=partitioned_sql, indentable=False), "p")
    account, region, day = (sx.column(name, "p") for name in PARTITIONS)
    query = (
        exp.Select(expressions=[account, region, sx.alias(exp.Min(this=day), "first_day")])
        .from_(inner, copy=False)
        .group_by(account, region, copy=False)
    )
    return to_sql_bound(query)
