"""Realistic, deterministic synthetic AWS CloudTrail data (standard library only).

Public API:

* :func:`generate_events` — an iterator of CloudTrail record dicts;
* :func:`write_delivery_tree` — native ``{"Records": [...]}`` delivery files in
  the S3 key layout (plain and organisation-trail);
* :func:`write_jsonl` — one record per line.

The same arguments always produce byte-identical output.  The organisation
(accounts, principals, keys, resources) is fixed; ``seed`` drives which
events happen and when.  :data:`PLANTED_SECRETS` and :data:`PLANTED_EMAILS`
list the sensitive literals the generator can emit, for masking tests.
"""

from __future__ import annotations

from trailmask.synth.catalog import (
    ACCOUNT_IDS,
    EXTERNAL_ACCOUNT,
    ORG_ID,
    ORG_TRAIL_ACCOUNTS,
    PLANTED_EMAILS,
    PLANTED_SECRETS,
    SESSION_TOKEN_PREFIXES,
)
from trailmask.synth.clock import DEFAULT_START
from trailmask.synth.delivery import write_delivery_tree, write_jsonl
from trailmask.synth.mix import generate_events

__all__ = [
    "ACCOUNT_IDS",
    "DEFAULT_START",
    "EXTERNAL_ACCOUNT",
    "ORG_ID",
    "ORG_TRAIL_ACCOUNTS",
    "PLANTED_EMAILS",
    "PLANTED_SECRETS",
    "SESSION_TOKEN_PREFIXES",
    "generate_events",
    "write_delivery_tree",
    "write_jsonl",
]
