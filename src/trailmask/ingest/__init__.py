"""Ingest (L2): find CloudTrail inputs, plan batches, load them into the store."""
