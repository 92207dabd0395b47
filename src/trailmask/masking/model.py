"""The masking policy as plain data: classes for fields, roles with operators and row filters.

A policy is built by trailmask.masking.loader (from YAML, with precise errors) and compiled into a
per-role relation by trailmask.masking.compiler. Nothing here does I/O.

Deny by default: a schema leaf the policy does not name is ``free_text`` (detectors mask what they
recognise), a class a role gives no operator gets the role's ``default`` operator (``redact``
unless set), and ``tm_raw`` is never shown to a role that is not ``raw``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from trailmask.schema import INTERNAL_COLUMNS, iter_leaves

FREE_TEXT = "free_text"
PUBLIC = "public"

# The classes trailmask knows; a policy may add its own names (generic operators only).
BUILTIN_CLASSES: dict[str, str] = {
    "public": "not sensitive: event names, regions, error codes, request ids",
    "principal": "who acted: user names, principal ids, session names",
    "arn": "Amazon Resource Names (account and names inside are masked, type kept)",
    "account_id": "12-digit AWS account ids",
    "access_key": "access key ids (AKIA..., ASIA...)",
    "ip": "IPv4/IPv6 source addresses (AWS service names are kept)",
    "email": "e-mail addresses",
    "secret": "secrets, passwords, tokens, private keys, card numbers",
    "time": "timestamps",
    "free_text": "anything else: scanned by the detectors",
    "event_key": "trailmask's event identity (SHA-256 of the raw record: an oracle if shown raw)",
    "source": "where an event was read from (paths and S3 keys can hold account ids)",
}

# The raw record column: only roles with raw: true see it.
RAW_RECORD_COLUMN = "tm_raw"


def leaf_paths() -> list[str]:
    """Every classifiable position: schema leaves then internal columns (tm_raw excluded)."""
    paths = [leaf.path for leaf in iter_leaves()]
    return paths + [name for name in INTERNAL_COLUMNS if name != RAW_RECORD_COLUMN]


@dataclass(frozen=True)
class Operator:
    """One masking operator with its options, e.g. ``pseudonym`` with ``{"prefix": "user"}``."""

    name: str
    options: Mapping[str, Any] = field(default_factory=dict)

    def option(self, key: str, default: Any) -> Any:
        return self.options.get(key, default)

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.name, **dict(self.options)}


@dataclass(frozen=True)
class RowFilter:
    """Rows a role may see: account and region allowlists and an optional SQL condition."""

    accounts: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    where: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.accounts or self.regions or self.where)

    def to_dict(self) -> dict[str, Any]:
        return {"accounts": list(self.accounts), "regions": list(self.regions), "where": self.where}


@dataclass(frozen=True)
class Role:
    name: str
    description: str = ""
    raw: bool = False
    operators: Mapping[str, Operator] = field(default_factory=dict)
    default: Operator = field(default_factory=lambda: Operator("redact"))
    row_filter: RowFilter = field(default_factory=RowFilter)
    permissions: tuple[str, ...] = ()

    def operator_for(self, cls: str) -> Operator:
        """The operator for a class; the role's default (deny) when the class is not listed."""
        return self.operators.get(cls, self.default)

    def to_dict(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "raw": self.raw,
            "operators": {k: v.to_dict() for k, v in self.operators.items()},
            "default": self.default.to_dict(),
            "row_filter": self.row_filter.to_dict(),
            "permissions": list(self.permissions),
        }


@dataclass(frozen=True)
class JsonKeyRule:
    """String values under matching JSON keys (globs, any depth, case-insensitive) get ``cls``.

    ``when`` limits the rule to events with these eventSource/eventName values (for keys such as
    SSM PutParameter's ``value`` that are secret only in one API).
    """

    keys: tuple[str, ...]
    cls: str
    event_sources: tuple[str, ...] = ()
    event_names: tuple[str, ...] = ()

    @property
    def conditional(self) -> bool:
        return bool(self.event_sources or self.event_names)

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"keys": list(self.keys), "class": self.cls}
        if self.conditional:
            body["when"] = {"eventSource": list(self.event_sources), "eventName": list(self.event_names)}
        return body


@dataclass(frozen=True)
class AllowList:
    """Values a policy never masks: exact ``values`` and ``patterns`` (whole-value regexes), in
    structured fields and among free-text findings (request ids, UUIDs, known service names)."""

    values: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.values or self.patterns)

    def to_dict(self) -> dict[str, Any]:
        return {"values": list(self.values), "patterns": list(self.patterns)}


@dataclass(frozen=True)
class Policy:
    classes: Mapping[str, str]
    roles: Mapping[str, Role]
    json_keys: tuple[JsonKeyRule, ...] = ()
    detectors: tuple[str, ...] = ()
    origin: str = "built-in default policy"
    allow: AllowList = field(default_factory=AllowList)
    ignore: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # detector -> whole-match regexes

    def class_of(self, path: str) -> str:
        """A leaf's class; unnamed leaves are free text (deny by default)."""
        return self.classes.get(path, FREE_TEXT)

    def role(self, name: str) -> Role:
        return self.roles[name]

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "version": 1,
            "classes": dict(self.classes),
            "json_keys": [rule.to_dict() for rule in self.json_keys],
            "detectors": list(self.detectors),
            "roles": {name: role.to_dict() for name, role in self.roles.items()},
        }
        if not self.allow.empty:  # absent when unused: the digest of older policies stays the same
            body["allow"] = self.allow.to_dict()
        if self.ignore:
            body["ignore"] = {name: list(patterns) for name, patterns in self.ignore.items()}
        return body

    @property
    def digest(self) -> str:
        """SHA-256 of the canonical policy: names the masking profile in audit records."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()
