"""The output folder of an export and what was written into it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trailmask.errors import Conflict, UsageError


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


def prepare_directory(directory: Path, *, overwrite: bool) -> Path:
    """Create ``directory``; an existing non-empty one is refused unless ``overwrite``."""
    directory = Path(directory).expanduser()
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"export target {directory} is a file", hint="give a directory")
    if directory.is_dir() and any(directory.iterdir()) and not overwrite:
        raise Conflict(
            f"export directory {directory} is not empty",
            hint="choose an empty directory or pass --overwrite (replaces the partitions/files written)",
        )
    directory.mkdir(parents=True, exist_ok=True)
    return directory
