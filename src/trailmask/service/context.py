"""The application context: settings plus the long-lived objects built from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trailmask.config import Settings, load_settings
from trailmask.engines.duckdb.store import Store


@dataclass
class AppContext:
    """Everything a request needs; one per process (CLI run or server)."""

    settings: Settings
    store: Store
    cache: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> AppContext:
        settings = settings or load_settings()
        return cls(settings=settings, store=Store(settings.db))
