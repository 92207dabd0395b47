"""Expand local SOURCE arguments into the files to load.

A folder is walked recursively (so a synced S3 prefix in the ``AWSLogs/...`` delivery layout
works as-is). Files are taken by suffix; CloudTrail digest files (``CloudTrail-Digest/``) are
integrity records, not events, and are skipped, as are hidden files. A file named explicitly is
always taken, whatever its suffix, so that a bad input is reported rather than ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from trailmask.errors import NotFound

SUFFIXES = (".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".gz")
DIGEST_FOLDER = "CloudTrail-Digest"


def _wanted(path: Path) -> bool:
    name = path.name
    if name.startswith("."):
        return False
    if DIGEST_FOLDER in path.parts:
        return False
    return name.endswith(SUFFIXES)


def iter_files(sources: Iterable[str | Path]) -> Iterator[Path]:
    """Yield files in a stable order (sorted within each folder); errors name the missing source."""
    for source in sources:
        path = Path(source).expanduser()
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if _wanted(child.relative_to(path)):
                    yield child
        elif path.is_file():
            yield path
        else:
            raise NotFound(f"ingest source {source} does not exist", hint="give a file, a folder, or an s3:// URI")
