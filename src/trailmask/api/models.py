"""Request and response bodies of the HTTP API (they make /openapi.json)."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, create_model

from trailmask.masking.columns import ColumnMasking
from trailmask.service.approvals import PRIVATE_FIELDS
from trailmask.service.approvals import Approval as ServiceApproval

MAX_SQL_CHARS = 100_000


class SqlBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sql: str = Field(min_length=1, max_length=MAX_SQL_CHARS, description="One SELECT over `events`.")
    max_rows: int | None = Field(default=None, ge=1, le=1_000_000, description="Capped by the server's max_rows.")
    timeout_s: float | None = Field(default=None, gt=0, le=3600, description="Capped by the server's query_timeout.")


class RunBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    params: dict[str, Any] = Field(default_factory=dict, description="Runbook parameters by name.")
    max_rows: int | None = Field(default=None, ge=1, le=1_000_000)


class ColumnMask(BaseModel):
    mode: Literal["none", "value", "parts", "unknown"] = Field(
        description="none: shown as stored; value: each value is a masking operator's output (token, "
        "redaction, truncated IP); parts: reads masked data but a value is not one operator's output "
        "(struct, free text scanned by detectors, expression); unknown: treat as possibly masked."
    )
    operators: list[str] = Field(description="The role's masking operators that apply (never options or keys).")

    @classmethod
    def of(cls, masking: dict[str, ColumnMasking]) -> dict[str, ColumnMask]:
        return {name: cls.model_validate(column.to_dict()) for name, column in masking.items()}


class QueryResultBody(BaseModel):
    columns: list[str]
    column_masking: dict[str, ColumnMask] = Field(
        default_factory=dict, description="Per column: whether and how it is masked for the caller's role."
    )
    rows: list[dict[str, Any]]
    row_count: int
    truncated: bool
    role: str
    masking_profile: str
    elapsed_ms: float
    audit_id: str | None
    notices: list[str] = Field(
        default_factory=list, description="What the caller should know, e.g. how a raw indicator was matched."
    )


class Health(BaseModel):
    status: Literal["ok"]
    version: str


class WhoAmI(BaseModel):
    name: str
    role: str
    via: str
    permissions: list[str]
    capabilities: dict[str, bool] = Field(
        description="What the role may do, decided by the server's RBAC (`sql`, `export`, `audit:read`, "
        "`approve`, `unmask:request`, `unmask`, `reveal`, `users:manage`, `ingest`, `audit:raw`)."
    )


class AuditPage(BaseModel):
    columns: list[str]
    entries: list[dict[str, Any]]
    next_before: int | None = Field(description="Pass as `before` for older entries; null at the start.")


class UserBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=128)
    role: str = Field(min_length=1, max_length=128)


class UserInfo(BaseModel):
    name: str
    role: str
    status: str
    token_id: str
    created_at: str
    rotated_at: str | None


class UserWithToken(BaseModel):
    name: str
    role: str
    token: str = Field(description="Shown once; only its hash is stored.")


class UserList(BaseModel):
    users: list[UserInfo]


class ApprovalRequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["sql", "runbook", "reveal"]
    sql: str | None = Field(default=None, min_length=1, max_length=MAX_SQL_CHARS)
    runbook: str | None = Field(default=None, min_length=1, max_length=200)
    params: dict[str, Any] = Field(default_factory=dict)
    justification: str = Field(min_length=10, max_length=2000, description="Why the unmasked data is needed.")


class DecisionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: str = Field(default="", max_length=2000)


def _public_model(name: str, source: type[Any], private: tuple[str, ...]) -> type[BaseModel]:
    """A response model with the public fields of a service dataclass: the dataclass is the one schema."""
    hints = get_type_hints(source)
    public = {f.name: (hints[f.name], ...) for f in dataclasses.fields(source) if f.name not in private}
    model: type[BaseModel] = create_model(name, **public)  # type: ignore[call-overload]
    return model


Approval = _public_model("Approval", ServiceApproval, PRIVATE_FIELDS)
ApprovalList = create_model("ApprovalList", approvals=(list[Approval], ...))  # type: ignore[valid-type]
