"""The output folder of an export and what was written into it.

Files an export writes are 0600 and the folders it creates 0700 (an export holds what a role may
see, for that role's user only). An export never writes through a symbolic link: a link anywhere
inside ``DIR`` (``events.csv`` pointing outside, a partition folder pointing elsewhere) makes the
export refuse before anything is written, and files are opened without following links. ``DIR``
itself is the user's choice and may be a link.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from trailmask.errors import Conflict, UsageError

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


@dataclass
class ExportResult:
    format: str
    directory: Path
    rows: int = 0
    files: list[Path] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "directory": str(self.directory),
            "rows": self.rows,
            "files": [str(p.relative_to(self.directory)) for p in sorted(self.files)],
        }


def _links_inside(directory: Path) -> list[Path]:
    links = []
    for folder, dirnames, filenames in os.walk(directory, followlinks=False):
        links += [Path(folder) / name for name in dirnames + filenames if (Path(folder) / name).is_symlink()]
    return sorted(links)


def prepare_directory(directory: Path, *, overwrite: bool) -> Path:
    """Create ``directory`` (0700); an existing non-empty one is refused unless ``overwrite``."""
    directory = Path(directory).expanduser()
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"export target {directory} is a file", hint="give a directory")
    if directory.is_dir() and any(directory.iterdir()) and not overwrite:
        raise Conflict(
            f"export directory {directory} is not empty",
            hint="choose an empty directory or pass --overwrite (replaces the partitions/files written)",
        )
    if directory.is_dir():
        links = _links_inside(directory)
        if links:
            raise Conflict(
                f"export directory {directory} holds a symbolic link ({links[0]}); an export never writes through one",
                hint="remove the link or choose an empty directory",
            )
    directory.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    return directory


@contextmanager
def private_file(path: Path) -> Iterator[IO[str]]:
    """``path`` opened for writing text as a 0600 file, refusing a symbolic link (O_NOFOLLOW)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, PRIVATE_FILE)
    except OSError as exc:
        if path.is_symlink():
            raise Conflict(f"{path} is a symbolic link; an export never writes through one") from None
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    os.fchmod(fd, PRIVATE_FILE)  # an existing file keeps its mode on open
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        yield handle


def make_private(directory: Path, files: list[Path]) -> None:
    """Files written by a library (pyarrow) made 0600, and their folders under ``directory`` 0700."""
    folders = set()
    for path in files:
        os.chmod(path, PRIVATE_FILE, follow_symlinks=False)
        parent = path.parent
        while parent != directory and directory in parent.parents:
            folders.add(parent)
            parent = parent.parent
    for folder in folders:
        os.chmod(folder, PRIVATE_DIR)
