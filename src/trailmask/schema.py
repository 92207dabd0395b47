"""The canonical ``events`` relation: one row per CloudTrail record.

Column names are the CloudTrail field names (identifiers are case-insensitive in DuckDB, Spark and
Athena). Types follow AWS's Athena CloudTrail DDL with three deliberate differences, documented in
docs/store.md: ``eventTime`` is a TIMESTAMP (UTC) so time windows are typed comparisons,
``readOnly``/``managementEvent`` are BOOLEAN as CloudTrail writes them, and free-form objects are
JSON text. Nested objects are structs whose field names keep CloudTrail's exact casing.

Engine-neutral: types are described with a tiny vocabulary (``STRING``, ``BOOLEAN``,
``TIMESTAMP``, ``JSON``, struct dicts, one-element lists for arrays); each engine maps them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeAlias

# A type is a scalar name, a struct (ordered dict of field -> type) or an array ([element type]).
FieldType: TypeAlias = "str | dict[str, FieldType] | list[FieldType]"

STRING = "STRING"
BOOLEAN = "BOOLEAN"
TIMESTAMP = "TIMESTAMP"
JSON = "JSON"

SESSION_ISSUER: dict[str, FieldType] = {
    "type": STRING,
    "principalId": STRING,
    "arn": STRING,
    "accountId": STRING,
    "userName": STRING,
}

SESSION_CONTEXT: dict[str, FieldType] = {
    "attributes": {"mfaAuthenticated": STRING, "creationDate": STRING},
    "sessionIssuer": SESSION_ISSUER,
    "webIdFederationData": {"federatedProvider": STRING, "attributes": JSON},
    "sourceIdentity": STRING,
    "ec2RoleDelivery": STRING,
    "ec2IssuedInVPC": STRING,
    "assumedRoot": STRING,
}

USER_IDENTITY: dict[str, FieldType] = {
    "type": STRING,
    "principalId": STRING,
    "arn": STRING,
    "accountId": STRING,
    "accessKeyId": STRING,
    "userName": STRING,
    "invokedBy": STRING,
    "identityProvider": STRING,
    "credentialId": STRING,
    "sessionContext": SESSION_CONTEXT,
    "onBehalfOf": {"userId": STRING, "identityStoreArn": STRING},
    "inScopeOf": {
        "issuerType": STRING,
        "credentialsIssuedTo": STRING,
        "issuerAccountId": STRING,
        "issuerArn": STRING,
    },
}

# Ordered as CloudTrail writes records; the order is the column order of ``events``.
EVENT_FIELDS: dict[str, FieldType] = {
    "eventVersion": STRING,
    "userIdentity": USER_IDENTITY,
    "eventTime": TIMESTAMP,
    "eventSource": STRING,
    "eventName": STRING,
    "awsRegion": STRING,
    "sourceIPAddress": STRING,
    "userAgent": STRING,
    "errorCode": STRING,
    "errorMessage": STRING,
    "requestParameters": JSON,
    "responseElements": JSON,
    "additionalEventData": JSON,
    "requestID": STRING,
    "eventID": STRING,
    "readOnly": BOOLEAN,
    "resources": [{"ARN": STRING, "accountId": STRING, "type": STRING}],
    "eventType": STRING,
    "apiVersion": STRING,
    "managementEvent": BOOLEAN,
    "recipientAccountId": STRING,
    "serviceEventDetails": JSON,
    "sharedEventID": STRING,
    "vpcEndpointId": STRING,
    "vpcEndpointAccountId": STRING,
    "eventCategory": STRING,
    "addendum": {
        "reason": STRING,
        "updatedFields": STRING,
        "originalRequestID": STRING,
        "originalEventID": STRING,
    },
    "sessionCredentialFromConsole": STRING,
    "edgeDeviceDetails": JSON,
    "tlsDetails": {
        "tlsVersion": STRING,
        "cipherSuite": STRING,
        "clientProvidedHostHeader": STRING,
        "keyExchange": STRING,
    },
    "insightDetails": JSON,
}

# trailmask's own columns, after the CloudTrail ones. ``tm_raw`` is the record exactly as read
# (admin only); ``tm_event_key`` the SHA-256 of that text, the identity used for deduplication.
INTERNAL_COLUMNS: dict[str, str] = {
    "tm_event_key": STRING,
    "tm_raw": JSON,
    "tm_source": STRING,
    "tm_batch": STRING,
    "tm_ingested_at": TIMESTAMP,
}

# Fields a record must carry to be accepted as CloudTrail (eventTime is absent from some real
# test data and is therefore optional; such rows have a NULL eventTime). CloudTrail Insights
# records carry these inside ``insightDetails`` instead and are accepted for that reason.
REQUIRED_FIELDS: tuple[str, ...] = ("eventSource", "eventName")

# Free-form objects kept as JSON text.
JSON_OBJECT_FIELDS: tuple[str, ...] = tuple(k for k, v in EVENT_FIELDS.items() if v == JSON)


@dataclass(frozen=True)
class Leaf:
    """One scalar position in the record: ``path`` like ``userIdentity.sessionContext.attributes``."""

    path: str
    type: str
    in_array: bool


def iter_leaves(fields: dict[str, FieldType] | None = None, prefix: str = "", in_array: bool = False) -> Iterator[Leaf]:
    """Every scalar (or JSON) position of the schema, depth first, in column order."""
    for name, ftype in (EVENT_FIELDS if fields is None else fields).items():
        path = f"{prefix}{name}"
        if isinstance(ftype, dict):
            yield from iter_leaves(ftype, f"{path}.", in_array)
        elif isinstance(ftype, list):
            element = ftype[0]
            if isinstance(element, dict):
                yield from iter_leaves(element, f"{path}[].", True)
            else:
                yield Leaf(f"{path}[]", str(element), True)
        else:
            yield Leaf(path, ftype, in_array)


def all_columns() -> list[str]:
    """Column names of the stored ``events`` table, CloudTrail fields first."""
    return [*EVENT_FIELDS, *INTERNAL_COLUMNS]
