"""The manifest of a Parquet dataset: which masking key and audit log it belongs to (issue 16.5).

``DIR/_trailmask.json`` is written beside the partitions by ``trailmask export --format parquet``
(and by Spark ingest). Spark, Athena, pyarrow and DuckDB's ``**/*.parquet`` globs all skip files
whose name starts with ``_``, so it is never read as data. It holds no secret: the key appears
only as a fingerprint (an HMAC of a fixed label under the key, service.binding), and the audit
log and store as paths. A run on the dataset (``--engine spark --dataset DIR``) refuses unless
its key has that fingerprint and its audit log is that log, so pseudonyms cannot silently differ
from the store's and the audit trail cannot silently split.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from trailmask.errors import ConfigError
from trailmask.export.target import private_file

MANIFEST_NAME = "_trailmask.json"
MANIFEST_VERSION = 1


@dataclass(frozen=True)
class DatasetManifest:
    """What a dataset belongs to; every field is text (paths are absolute)."""

    key_fingerprint: str
    key_origin: str
    key_file: str
    audit_log: str
    store: str
    role: str
    profile: str
    version: int = MANIFEST_VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def manifest_path(directory: Path) -> Path:
    return Path(directory) / MANIFEST_NAME


def write_manifest(directory: Path, manifest: DatasetManifest) -> Path:
    """Write (or replace) ``DIR/_trailmask.json`` as a private file, never through a link."""
    path = manifest_path(directory)
    with private_file(path) as handle:
        json.dump(manifest.to_dict(), handle, indent=2, sort_keys=True)
        handle.write("\n")
    return path


def read_manifest(directory: Path) -> DatasetManifest | None:
    """The dataset's manifest; None when it has none; ConfigError when it is unreadable."""
    path = manifest_path(directory)
    if not path.is_file():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        fields = {name: raw[name] for name in DatasetManifest.__dataclass_fields__ if name != "version"}
        version = raw.get("version", MANIFEST_VERSION)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"the dataset manifest {path} cannot be read ({type(exc).__name__})",
            hint="re-export the dataset with `trailmask export --format parquet DIR --overwrite`",
        ) from None
    if version != MANIFEST_VERSION or not all(isinstance(value, str) for value in fields.values()):
        raise ConfigError(
            f"the dataset manifest {path} is not a version {MANIFEST_VERSION} trailmask manifest",
            hint="re-export the dataset with this version of trailmask",
        )
    return DatasetManifest(**fields)
