"""What goes into an entry, and what a reader of the log is shown.

Written: parameters with secret-looking names (or named by the caller) are replaced by ``[hidden]``
before they reach the log; they are never recoverable. Shown: a reader without ``audit:raw``
sees every entry with the values other people typed (parameter values, SQL text, justifications,
comments, client addresses, request paths, the token given to ``reveal``) replaced by
``[masked]``, and a runbook id that names no known runbook (people paste raw values there) as
``[unknown]``; names, roles, actions, outcomes, counts, fingerprints and SQL shapes (literals and
quoted identifiers already removed) stay visible, which is what an access review needs.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any

HIDDEN = "[hidden]"
MASKED = "[masked]"
_SECRET_NAME = re.compile(r"secret|password|passwd|credential|api[_-]?key|private", re.IGNORECASE)
UNKNOWN = "[unknown]"
MASKED_FIELDS = ("sql", "justification", "comment", "client", "reason_text", "token", "path", "engine_error")
MASKED_MAPPINGS = ("params",)


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
    shown = dict(entry)
    if raw:
        return shown
    if shown.get("runbook") not in (None, "") and shown["runbook"] not in known_runbooks:
        shown["runbook"] = UNKNOWN
    for name in MASKED_FIELDS:
        if shown.get(name) not in (None, ""):
            shown[name] = MASKED
    for name in MASKED_MAPPINGS:
        value = shown.get(name)
        if isinstance(value, Mapping):
            shown[name] = {k: v if v == HIDDEN else MASKED for k, v in value.items()}
    return shown
