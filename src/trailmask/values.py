"""The one value normaliser: engine and library values as JSON-ready Python values.

Every answer trailmask gives as JSON (query results in the CLI, the API, alerts and the web UI;
runbook parameter defaults; LookupEvents pages written for the loader) and every export file
(JSON lines, CSV cells through export.csvcell) turns values into JSON-ready ones here:

- containers recursively (dicts, lists; tuples become lists);
- datetimes, dates and times as ISO-8601 text. A naive datetime (DuckDB ``TIMESTAMP`` holds UTC
  without a zone) is written as it is, or with ``Z`` when ``utc_z`` (export files, which are read
  by other tools and must say the zone); an aware one in UTC gets ``Z`` then too;
- bytes as hex, ``Decimal``, ``timedelta``, UUIDs and any other value as ``str``;
- ``None``, booleans, integers, floats and text unchanged.

Engine-specific row objects (Spark ``Row``) are turned into dicts by their engine
(engines.spark.session) before they reach this module.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any


def json_ready(value: Any, *, utc_z: bool = False) -> Any:
    """``value`` as JSON-ready Python (see the module docstring)."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, dict):
        return {k: json_ready(v, utc_z=utc_z) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v, utc_z=utc_z) for v in value]
    if isinstance(value, datetime):
        text = value.isoformat()
        if not utc_z:
            return text
        return text + "Z" if value.tzinfo is None else text.replace("+00:00", "Z")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def json_default(value: Any) -> Any:
    """``default=`` for :func:`json.dumps`: what the encoder cannot write, normalised."""
    return json_ready(value)
