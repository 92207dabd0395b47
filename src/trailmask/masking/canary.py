"""Canary data for ``trailmask verify``: events with a secret planted in every sensitive position,
and a scanner that finds any of them in output, in any case, reversed, hashed, encoded or split.

Every leaf of the schema receives a value chosen by its class in the policy under test: a unique
name for principals, an ARN with a unique name and the canary account, the canary account id,
access keys, addresses, e-mails, secrets; free-text leaves receive text (or JSON) full of things
the detectors must find, including in keys AWS may add tomorrow and in nested arrays. Public and
time leaves receive ordinary values. A canary is the part no masked role may see (an e-mail's
local part, an IP's host part are covered by the whole value: the role may see only the prefix).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from trailmask.masking.model import FREE_TEXT, Policy
from trailmask.schema import EVENT_FIELDS, FieldType

ACCOUNT = "739201846573"
OTHER_ACCOUNT = "482915730264"
ACCESS_KEY = "AKIAQ7CANARYK3Y4X9ZT"
TEMP_KEY = "ASIAQ7CANARYT5W8V2RL"
JSON_KEY_ID = "AKIAQ7CANARYJS0NKEY2"
PRINCIPAL_ID = "AIDAQ7CANARY4XK2M9ZT"
ROLE_ID = "AROAQ7CANARYR0LE5N2V"
IPV4 = "198.51.100.173"
IPV4_TEXT = "203.0.113.199"
IPV6 = "2001:db8:c4a7:1b2e:9f3d:77aa:e1c2:5b4f"
EMAIL = "canary.mail7q@example-canary.org"
EMAIL_LOCAL = "canary.mail7q"
SECRET_KEY = "wJalrXUtnFEMIK7MDENGbPxRfiCYCANARY7Kq2Zx"  # noqa: S105 (a canary, planted on purpose)
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEC4nArYt0k3nVALUE8z7q9xA2bC4dE6fG8hJ0kL"  # noqa: S105 (a canary, planted on purpose)
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnk3cSJ9.Q2FuYXJ5U2lnbmF0dXJlN3E"
PRIVATE_KEY_BODY = "MIIEcanaryPRIVATEkeyBODY7q2x"
PRIVATE_KEY = f"-----BEGIN RSA PRIVATE KEY-----\n{PRIVATE_KEY_BODY}\n-----END RSA PRIVATE KEY-----"
PASSWORD = "Hunter2Canary!pw7q"  # noqa: S105 (a canary, planted on purpose)
NESTED_PASSWORD = "NestedPwCanary8x"  # noqa: S105 (a canary, planted on purpose)
SSM_VALUE = "ssm-canary-value-91xq"
LAMBDA_ENV = "lambda-env-canary-7zq"
CARD = "4539 1488 0343 6467"
API_TOKEN = "Zx9Qw3Er7Ty2Ui8Op4As6Df1Gh5Jk0L"  # noqa: S105 (a canary, planted on purpose)
KV_SECRET = "Kv7CanarySecretQ2"  # noqa: S105 (a canary, planted on purpose)
JSON_USER = "canary-json-username-7q"
JSON_ROLE = "CanaryJsonRole4k"
HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"


@dataclass(frozen=True)
class Canary:
    """``secret``: text that must not appear; ``label``: where it was planted."""

    label: str
    secret: str


@dataclass(frozen=True)
class Leak:
    canary: Canary
    form: str  # plain, reversed, md5, sha1, sha256, base64, hex
    where: str


def _arn(account: str, resource: str, service: str = "iam") -> str:
    return f"arn:aws:{service}::{account}:{resource}"


def free_text() -> str:
    """Plain free text with one of each detectable kind."""
    return (
        f"User: {_arn(ACCOUNT, 'user/canary-text-user-3k')} from {IPV4_TEXT} and {IPV6} "
        f"(contact {EMAIL}) used {ACCESS_KEY} with token={KV_SECRET}; card {CARD}; {API_TOKEN}"
    )


def free_json() -> dict[str, Any]:
    """A free-form JSON object: secrets by key name, detectable values, unknown nested keys."""
    return {
        "userName": JSON_USER,
        "password": PASSWORD,
        "newPassword": {"nested": NESTED_PASSWORD},
        "credentials": {"accessKeyId": TEMP_KEY, "sessionToken": SESSION_TOKEN, "secretAccessKey": SECRET_KEY},
        "roleArn": _arn(ACCOUNT, f"role/{JSON_ROLE}"),
        "contact": EMAIL,
        "sourceIp": IPV4,
        "v6": IPV6,
        "deep": {"level2": {"unknownKeyZ": JSON_KEY_ID, "list": [{"ip": IPV4_TEXT}, CARD]}},
        "jwt": JWT,
        "pem": PRIVATE_KEY,
        "opaque": API_TOKEN,
        "note": f"ask {EMAIL} or call from {IPV4_TEXT} with token={KV_SECRET}",
        "accountNumber": int(ACCOUNT),
        "ownerId": float(OTHER_ACCOUNT),
        "hidden": HIDDEN,
    }


_BY_CLASS: dict[str, Callable[[str, int], str]] = {
    "public": lambda leaf, i: f"value-{i}",
    "time": lambda leaf, i: "2026-01-15T10:20:30Z",
    "account_id": lambda leaf, i: ACCOUNT if i % 2 else OTHER_ACCOUNT,
    "access_key": lambda leaf, i: ACCESS_KEY if i % 2 else TEMP_KEY,
    "ip": lambda leaf, i: IPV4 if i % 2 else IPV6,
    "email": lambda leaf, i: EMAIL,
    "secret": lambda leaf, i: PASSWORD,
    "arn": lambda leaf, i: _arn(ACCOUNT if i % 2 else OTHER_ACCOUNT, f"role/CanaryArn{leaf}{i}x"),
}


def _value(policy: Policy, path: str, ftype: str, index: int) -> Any:
    cls = policy.class_of(path)
    name = re.sub(r"[^A-Za-z0-9]", "", path.split(".")[-1])
    if ftype == "BOOLEAN":
        return True
    if cls == FREE_TEXT:
        return free_json() if ftype == "JSON" else free_text()
    if ftype == "JSON":
        return {"value": f"canary{name}{index}q"}
    if cls in _BY_CLASS:
        return _BY_CLASS[cls](name, index)
    return f"canary-{name.lower()}-{index}q"  # principal and any class of the policy's own


def _fill(policy: Policy, fields: dict[str, FieldType], prefix: str, counter: Iterator[int]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for name, ftype in fields.items():
        path = f"{prefix}{name}"
        if isinstance(ftype, dict):
            record[name] = _fill(policy, ftype, f"{path}.", counter)
        elif isinstance(ftype, list):
            element = ftype[0]
            record[name] = [
                _fill(policy, element, f"{path}[].", counter)
                if isinstance(element, dict)
                else _value(policy, f"{path}[]", str(element), next(counter))
                for _ in range(2)
            ]
        else:
            record[name] = _value(policy, path, ftype, next(counter))
    return record


def canary_events(policy: Policy) -> list[dict[str, Any]]:
    """The canary trail: a full record per scenario, every leaf planted as its class demands."""
    counter = iter(range(1, 1_000_000))
    scenarios: list[tuple[str, str, dict[str, Any]]] = [
        ("iam.amazonaws.com", "CreateUser", {}),
        ("sts.amazonaws.com", "AssumeRole", {}),
        ("ssm.amazonaws.com", "PutParameter", {"requestParameters": {"name": "/prod/db", "value": SSM_VALUE}}),
        ("ssm.amazonaws.com", "PutParameter", {"requestParameters": {"name": "/prod/hidden", "value": HIDDEN}}),
        (
            "lambda.amazonaws.com",
            "CreateFunction20150331",
            {"requestParameters": {"functionName": "f", "environment": {"variables": {"DB_PASSWORD": LAMBDA_ENV}}}},
        ),
        ("s3.amazonaws.com", "GetObject", {"sourceIPAddress": IPV6}),
        ("ec2.amazonaws.com", "RunInstances", {"sourceIPAddress": "ec2.amazonaws.com"}),
    ]
    events = []
    for number, (source, name, overrides) in enumerate(scenarios):
        record = _fill(policy, EVENT_FIELDS, "", counter)
        record.update(eventSource=source, eventName=name, eventTime=f"2026-01-15T10:{number:02d}:00Z")
        record.update(eventVersion="1.11", eventCategory="Management", eventID=f"canary-event-{number}")
        record.update(overrides)
        events.append(record)
    return events


def _secrets_in(value: Any, path: str) -> Iterator[Canary]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _secrets_in(item, f"{path}.{key}")
    elif isinstance(value, list):
        for item in value:
            yield from _secrets_in(item, f"{path}[]")
    elif isinstance(value, str) and "canary" in value.lower():
        yield Canary(path, value)


def canaries(events: Iterable[dict[str, Any]], policy: Policy) -> list[Canary]:
    """What must not appear: every planted value of a sensitive leaf, and the fixed secrets."""
    found: dict[str, Canary] = {}
    for event in events:
        for canary in _secrets_in(event, "event"):
            if not _public(policy, canary.label):
                found.setdefault(canary.secret, canary)
    fixed = {
        "account id": ACCOUNT, "other account id": OTHER_ACCOUNT, "access key": ACCESS_KEY,
        "temporary key": TEMP_KEY, "json access key": JSON_KEY_ID, "IPv4": IPV4, "IPv4 in text": IPV4_TEXT,
        "IPv6": IPV6, "e-mail local part": EMAIL_LOCAL, "secret access key": SECRET_KEY,
        "session token": SESSION_TOKEN, "JWT": JWT, "private key": PRIVATE_KEY_BODY, "password": PASSWORD,
        "nested password": NESTED_PASSWORD, "SSM value": SSM_VALUE, "Lambda variable": LAMBDA_ENV,
        "card": CARD, "API token": API_TOKEN, "key=value secret": KV_SECRET, "JSON user": JSON_USER,
        "JSON role": JSON_ROLE,
    }  # fmt: skip
    for label, secret in fixed.items():
        found[secret] = Canary(label, secret)
    for secret, canary in list(found.items()):
        if secret.startswith("arn:"):  # an ARN's secret parts are its account and its name
            found.pop(secret)
            name = secret.rsplit("/", 1)[-1]
            found[name] = Canary(f"{canary.label} (name)", name)
    return list(found.values())


def _public(policy: Policy, label: str) -> bool:
    path = label.removeprefix("event.")
    return policy.class_of(path) in ("public", "time") and path in policy.classes


def normalize(text: str) -> str:
    """Lower case, letters and digits only: finds a value however it was cased or punctuated."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _forms(secret: str) -> dict[str, str]:
    variants = {secret, secret.lower(), secret.upper()}
    forms = {"plain": normalize(secret), "reversed": normalize(secret[::-1])}
    for name in ("md5", "sha1", "sha256"):
        for index, variant in enumerate(sorted(variants)):
            forms[f"{name}#{index}"] = hashlib.new(name, variant.encode()).hexdigest()
    forms["base64"] = normalize(base64.b64encode(secret.encode()).decode())
    forms["hex"] = secret.encode().hex()
    return {form: text for form, text in forms.items() if len(text) >= 8}


class LeakScanner:
    """Looks for canaries in text blobs (cells, rows, columns, whole outputs, error messages)."""

    def __init__(self, canaries_: Iterable[Canary]) -> None:
        self.forms = [
            (canary, form.split("#")[0], text) for canary in canaries_ for form, text in _forms(canary.secret).items()
        ]

    def scan(self, blob: str, where: str) -> list[Leak]:
        flat = normalize(blob)
        return [Leak(canary, form, where) for canary, form, text in self.forms if text in flat]

    def scan_rows(self, columns: list[str], rows: list[list[Any]], where: str) -> list[Leak]:
        """Cells, rows (split across columns) and columns (split across rows)."""
        blobs = ["\x1f".join(_text(cell) for cell in row) for row in rows]
        blobs += ["".join(_text(row[i]) for row in rows) for i in range(len(columns))]
        leaks: dict[tuple[str, str], Leak] = {}
        for blob in blobs:
            for leak in self.scan(blob, where):
                leaks.setdefault((leak.canary.secret, leak.form), leak)
        return list(leaks.values())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return "".join(f"{k}{_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "".join(_text(v) for v in value)
    return str(value)
