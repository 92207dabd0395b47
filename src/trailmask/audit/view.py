"""What goes into an entry, and what a reader of the log is shown.

Written: parameters with secret-looking names (or named by the caller) are replaced by ``[hidden]``
before they reach the log; they are never recoverable. Shown: a reader without ``audit:raw``
sees an entry through an allowlist (fail closed): the fields that say who did what and how it
went (names, roles, actions, outcomes, counts, fingerprints, SQL shapes with literals and quoted
identifiers already removed, server-made ids) as stored, which is what an access review needs;
an identifier the caller typed (a runbook, dashboard, watch, approval or user name) only when it
names a known object — a known runbook, or an operation that found its object (outcome ``ok``)
— and ``[unknown]`` otherwise (people paste raw values there); every other field, including
any field a new operation adds, ``[masked]`` until it is listed here.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any

HIDDEN = "[hidden]"
MASKED = "[masked]"
_SECRET_NAME = re.compile(r"secret|password|passwd|credential|api[_-]?key|private", re.IGNORECASE)
UNKNOWN = "[unknown]"
# Fields a reader without audit:raw sees as stored: who, what, how it went, the chain, counts and
# server-made values. Anything not listed (typed text, paths, new fields) is masked.
SHOWN_FIELDS = frozenset(
    """
    seq ts prev hash actor via role action outcome rows profile duration_ms sql_fingerprint sql_shape
    unmasked raw_access request_id approval limit before feed source sources fields values
    matches keys users approvals findings runnable runbooks panels parameters requester requester_role
    requester_via token_id address head attempt lookups
    """.split()  # noqa: SIM905 (a word list is easier to review than a list literal)
)
# Identifiers the caller typed: shown when the operation found the object (outcome ok).
FOUND_FIELDS = frozenset({"dashboard", "watch", "approval_id", "user", "check", "kinds", "format", "destination"})
# Fields shown when they hold one of a few known values (an HTTP status is a number).
KNOWN_VALUES = {
    "status": frozenset({"pending", "approved", "rejected", "executed", "expired"}),
    "method": frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}),
}
_PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_CLASS_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]{0,99}$")  # ``error``: an exception's class, not a message
MASKED_MAPPINGS = ("params",)  # parameter names stay readable, values are masked


def hide_secret_params(params: Mapping[str, Any], secret_names: Iterable[str] = ()) -> dict[str, Any]:
    """Parameters as logged: values whose name looks secret, or is in ``secret_names``, hidden."""
    secret = set(secret_names)
    return {name: HIDDEN if name in secret or _SECRET_NAME.search(name) else value for name, value in params.items()}


def is_raw_access(entry: Mapping[str, Any]) -> bool:
    """Whether the entry disclosed raw data: a reveal that ran, or an unmasked (break-glass) run."""
    ran = entry.get("outcome") == "ok"
    return ran and (bool(entry.get("raw_access")) or bool(entry.get("unmasked")))


def reader_view(entry: Mapping[str, Any], *, raw: bool, known_runbooks: Collection[str] = ()) -> dict[str, Any]:
    """The entry as shown to a reader; ``raw`` readers (``audit:raw``) see it as stored.

    ``known_runbooks``: the ids of the catalog; any other ``runbook`` value is shown as ``[unknown]``.
    """
    if raw:
        return dict(entry)
    found = entry.get("outcome") == "ok"
    shown: dict[str, Any] = {}
    for name, value in entry.items():
        if value in (None, "") or name in SHOWN_FIELDS:
            shown[name] = value
        elif name == "runbook":
            shown[name] = value if isinstance(value, str) and value in known_runbooks else UNKNOWN
        elif name in FOUND_FIELDS:
            shown[name] = value if found else UNKNOWN
        elif name == "error":
            shown[name] = value if isinstance(value, str) and _CLASS_NAME.match(value) else MASKED
        elif name in KNOWN_VALUES:
            known = (isinstance(value, str) and value in KNOWN_VALUES[name]) or type(value) is int
            shown[name] = value if known else UNKNOWN
        elif name in MASKED_MAPPINGS and isinstance(value, Mapping):
            shown[name] = _masked_mapping(value)
        else:
            shown[name] = MASKED
    return shown


def _masked_mapping(values: Mapping[str, Any]) -> dict[str, Any]:
    """Parameter names kept when they look like names (values masked); a typed key is masked too."""
    shown: dict[str, Any] = {}
    for key, value in values.items():
        shown[key if isinstance(key, str) and _PARAM_NAME.match(key) else MASKED] = value if value == HIDDEN else MASKED
    return shown
