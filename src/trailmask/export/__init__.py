"""Export (L2): writers turning an Arrow stream of (already masked) rows into files.

``parquet`` writes a Hive-partitioned dataset (``account=/region=/date=``) that Athena and Spark
read (docs/export.md has the DDL); ``text`` writes CSV or JSON lines. What the rows contain, and
whether they are masked, is the service layer's business (service/export.py): writers never see
a role or a key.
"""
