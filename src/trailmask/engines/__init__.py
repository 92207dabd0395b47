"""Query engines (L1). Only these modules import an engine driver (duckdb, pyspark).

``engines.base`` is the one interface (Engine, EngineSession, Rows); ``engines.duckdb`` and
``engines.spark`` implement it. The service chooses the engine once, on the AppContext.
"""
