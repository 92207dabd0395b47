"""Tamper-evident audit log (hash chain over JSON lines), SQL fingerprints and reader views."""

from trailmask.audit.fingerprint import sql_fingerprint, sql_shape
from trailmask.audit.log import AuditLog, VerifyReport, entry_id
from trailmask.audit.verify import verify

__all__ = ["AuditLog", "VerifyReport", "entry_id", "sql_fingerprint", "sql_shape", "verify"]
