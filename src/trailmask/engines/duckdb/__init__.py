"""The embedded DuckDB engine: the store file, its bulk loader and hardened query sessions."""

from trailmask.engines.duckdb.session import DuckDBEngine, QuerySession
from trailmask.engines.duckdb.store import Store

__all__ = ["DuckDBEngine", "QuerySession", "Store"]
