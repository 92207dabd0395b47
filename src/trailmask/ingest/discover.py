"""Expand local SOURCE arguments into the files to load.

A folder is walked recursively (so a synced S3 prefix in the ``AWSLogs/...`` delivery layout
works as-is). Files are taken by suffix; CloudTrail digest files (``CloudTrail-Digest/``) are
integrity records, not events, and are skipped, as are hidden files. A file named explicitly is
always taken, whatever its suffix, so that a bad input is reported rather than ignored.

Symbolic links inside a folder are never followed, whether to a file or to a folder, and wherever
they point: a link planted in a log folder could otherwise make ingest read (and quarantine copy)
any file the user can read, such as the server's state file. Each one is reported (``links``) so
that the caller can list it as rejected. A SOURCE named on the command line is the user's choice
and is followed (name the target itself to load a linked file).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from trailmask.errors import NotFound

SUFFIXES = (".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".gz")
DIGEST_FOLDER = "CloudTrail-Digest"
LINK_REASON = (
    "a symbolic link inside a folder given (not followed: ingest reads only regular files inside "
    "the folders it is given; name the target itself to load it)"
)


@dataclass
class Found:
    files: list[Path] = field(default_factory=list)
    links: list[Path] = field(default_factory=list)  # symbolic links met in folders, not followed


def _hidden(relative: Path) -> bool:
    return relative.name.startswith(".") or DIGEST_FOLDER in relative.parts


def _wanted(relative: Path) -> bool:
    return not _hidden(relative) and relative.name.endswith(SUFFIXES)


def _walk(root: Path, found: Found) -> None:
    files: list[Path] = []
    for folder, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(folder)
        for name in list(dirnames):
            if (here / name).is_symlink():
                dirnames.remove(name)
                if not _hidden((here / name).relative_to(root)):
                    found.links.append(here / name)
        for name in filenames:
            child = here / name
            relative = child.relative_to(root)
            if child.is_symlink():
                if _wanted(relative):
                    found.links.append(child)
            elif _wanted(relative) and child.is_file():
                files.append(child)
    found.files.extend(sorted(files))


def find_files(sources: Iterable[str | Path]) -> Found:
    """Files in a stable order (sorted within each source); errors name the missing source."""
    found = Found()
    for source in sources:
        path = Path(source).expanduser()
        if path.is_dir():
            _walk(path, found)
        elif path.is_file():
            found.files.append(path)
        else:
            raise NotFound(f"ingest source {source} does not exist", hint="give a file, a folder, or an s3:// URI")
    return found
