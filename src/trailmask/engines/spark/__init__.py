"""The Apache Spark engine: a local (or configured) Spark session over the Parquet dataset that
``trailmask export --format parquet`` writes. The only package that imports pyspark.

- runtime: the process's one SparkSession (settings, quiet logging, Java check);
- dataset: the raw dataset registered as an internal global view with the ``events`` columns;
- session: per-query sessions (session values as one-row views, bound parameters, time and
  row limits) returning :class:`~trailmask.engines.base.Rows` (the one engine interface,
  trailmask.engines.base).
"""
