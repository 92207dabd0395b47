"""The runbook: a documented, typed, tested SQL question about CloudTrail events.

Plain frozen data built by the loader (trailmask.runbooks.loader) from one YAML file; the format is
documented in docs/runbooks.md. Behaviour lives elsewhere: parameter validation in ``params``,
checks in ``lint``, fixture comparison in ``fixtures``, documentation in ``docs``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SEVERITIES = ("info", "low", "medium", "high", "critical")
RUNBOOK_PERMISSION_PREFIX = "runbook:"  # rbac vocabulary: runbook:ID, runbook:*, runbook-tag:TAG
WINDOW_PARAMETERS = ("since", "start", "end")
BOUND_WINDOW_PARAMETERS = ("start", "end")


@dataclass(frozen=True)
class Parameter:
    """One typed input. ``type`` is a name from trailmask.runbooks.params.TYPES."""

    name: str
    type: str
    description: str
    required: bool = False
    default: Any = None
    pattern: str | None = None
    minimum: Any = None
    maximum: Any = None
    max_length: int | None = None
    values: tuple[str, ...] = ()  # enum choices
    items: str | None = None  # element type of a list
    example: str | None = None
    window: bool = False  # one of the standard time-window parameters (since/start/end)


@dataclass(frozen=True)
class Window:
    """The time window every runbook takes: ``since`` back from ``end`` unless ``start`` is given."""

    default: str  # a duration like 24h, or "all"
    maximum: str | None = None  # the longest look-back a caller may ask for


@dataclass(frozen=True)
class OutputColumn:
    name: str
    description: str


@dataclass(frozen=True)
class FollowUp:
    """A next step: another runbook, with parameters taken from literals or from a result column."""

    why: str
    runbook: str | None = None
    params: dict[str, Any] = field(default_factory=dict)  # name -> literal | {"column": name}


@dataclass(frozen=True)
class Limits:
    timeout_s: float | None = None
    max_rows: int | None = None


@dataclass(frozen=True)
class PantherMapping:
    """A Panther rule whose behaviour the runbook covers, and the measured agreement on its tests."""

    rule: str
    agree: int | None = None
    total: int | None = None
    note: str = ""
    params: dict[str, Any] = field(default_factory=dict)  # run with these (plus since=all) to measure


@dataclass(frozen=True)
class FixtureEvent:
    """A CloudTrail record the runbook must (``match``) or must not report; ``source`` credits its origin."""

    event: dict[str, Any]
    match: bool
    source: str = ""


@dataclass(frozen=True)
class Fixture:
    """Events to load into an empty store, the parameters to run with, and the rows expected back."""

    name: str
    events: tuple[FixtureEvent, ...]
    params: dict[str, Any] = field(default_factory=dict)
    expect: tuple[dict[str, Any], ...] | None = None  # None: only the match/no-match checks
    ordered: bool = False

    @property
    def matching(self) -> tuple[FixtureEvent, ...]:
        return tuple(e for e in self.events if e.match)

    @property
    def not_matching(self) -> tuple[FixtureEvent, ...]:
        return tuple(e for e in self.events if not e.match)


@dataclass(frozen=True)
class Credit:
    """Authorship a licence requires us to show (e.g. a Sigma rule author under DRL 1.1)."""

    author: str
    license: str
    source: str = ""


@dataclass(frozen=True)
class Runbook:
    id: str
    title: str
    version: int
    description: str
    when: str
    indicates: str
    severity: str
    sql: str
    output: tuple[OutputColumn, ...]
    parameters: tuple[Parameter, ...]
    window: Window | None
    tags: tuple[str, ...] = ()
    follow_up: tuple[FollowUp, ...] = ()
    permission: str = ""  # the rbac permission that grants running it: runbook:<id>
    limits: Limits = field(default_factory=Limits)
    fixtures: tuple[Fixture, ...] = ()
    references: tuple[str, ...] = ()
    panther: tuple[PantherMapping, ...] = ()
    credits: tuple[Credit, ...] = ()
    notes: str = ""
    path: Path | None = None
    origin: str = "builtin"  # "builtin" or the configured directory it came from
    source_sql: str = ""  # the SQL as written; ``sql`` is what runs (window placeholders typed)

    @property
    def written_sql(self) -> str:
        """The SQL as its author wrote it (docs, lint, show); ``sql`` may add casts to it."""
        return self.source_sql or self.sql

    @property
    def placeholders(self) -> tuple[str, ...]:
        """Names bound into the SQL: declared parameters minus the input-only ``since``."""
        return tuple(p.name for p in self.parameters if p.name != "since" or not p.window)

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    def tag_values(self, namespace: str) -> tuple[str, ...]:
        """Values of ``namespace:value`` tags, e.g. ``tag_values("cis-aws-1.4")`` -> ("4.3",)."""
        prefix = namespace + ":"
        return tuple(t[len(prefix) :] for t in self.tags if t.startswith(prefix))
