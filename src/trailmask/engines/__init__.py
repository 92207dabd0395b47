"""Query engines (L1). Only these modules import an engine driver (duckdb, pyspark, boto3 for Athena)."""
