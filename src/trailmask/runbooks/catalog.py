"""Where runbooks come from: the built-in library plus the directories named in config.

The built-in library ships inside the package (``trailmask/runbooks/library/*.yaml``). Each
configured path (``runbooks:`` in the config file, or ``TRAILMASK_RUNBOOKS``-style lists) is a
directory searched recursively for ``*.yaml``/``*.yml`` (a ``fixtures`` folder is skipped) or a
single file. A configured runbook with the id of a built-in one replaces it, so a team can tune a
built-in from its own git checkout; two configured files with the same id are an error.

A file that fails to load does not hide the others: it is kept in :attr:`Catalog.errors`, which
``runbook lint`` reports and ``runbook list`` mentions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from trailmask.errors import ConfigError, NotFound
from trailmask.runbooks.loader import load_runbook_file
from trailmask.runbooks.model import Runbook

LIBRARY_DIR = Path(__file__).resolve().parent / "library"
SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class LoadError:
    path: Path
    message: str


@dataclass
class Catalog:
    runbooks: dict[str, Runbook] = field(default_factory=dict)
    errors: list[LoadError] = field(default_factory=list)

    def get(self, runbook_id: str) -> Runbook:
        if runbook_id in self.runbooks:
            return self.runbooks[runbook_id]
        broken = [e for e in self.errors if e.path.stem == runbook_id]
        hint = (
            f"{broken[0].path} failed to load; run `trailmask runbook lint`"
            if broken
            else "see `trailmask runbook list`"
        )
        raise NotFound(f"no runbook with id '{runbook_id}'", hint=hint)

    def __iter__(self) -> Iterator[Runbook]:
        return iter(sorted(self.runbooks.values(), key=lambda r: r.id))

    def __len__(self) -> int:
        return len(self.runbooks)


def runbook_files(root: Path) -> list[Path]:
    """YAML files under ``root`` (or ``root`` itself), skipping fixture folders, in sorted order."""
    if root.is_file():
        return [root]
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.rglob("*")
        if p.suffix in SUFFIXES and p.is_file() and "fixtures" not in p.relative_to(root).parts
    )


def _load_source(files: Iterable[Path], source: str, catalog: Catalog, seen: dict[str, Path]) -> None:
    for path in files:
        try:
            runbook = load_runbook_file(path, source=source)
        except ConfigError as exc:
            catalog.errors.append(LoadError(path, exc.message))
            continue
        if runbook.id in seen:
            catalog.errors.append(LoadError(path, f"runbook id '{runbook.id}' is also defined in {seen[runbook.id]}"))
            continue
        seen[runbook.id] = path
        catalog.runbooks[runbook.id] = runbook


def load_catalog(paths: Iterable[Path] = (), *, include_builtin: bool = True) -> Catalog:
    """The built-in library (unless excluded) overlaid with the runbooks found under ``paths``."""
    catalog = Catalog()
    if include_builtin:
        _load_source(runbook_files(LIBRARY_DIR), "builtin", catalog, {})
    configured: dict[str, Path] = {}
    for root in paths:
        if not root.exists():
            catalog.errors.append(LoadError(root, "configured runbook path does not exist"))
            continue
        _load_source(runbook_files(root), str(root), catalog, configured)
    return catalog
