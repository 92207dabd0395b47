"""One serializer per shape: the API's runbook JSON is the CLI's ``runbook show --format json`` (issue 9.6)."""

from __future__ import annotations

import json
from typing import Any

from tests.api.conftest import auth
from tests.conftest import Cli

RUNBOOK = "cis-unauthorized-api-calls"


def test_api_runbook_json_is_the_cli_json(client: Any, tokens: dict[str, str], tm: Cli) -> None:
    from_api = client.get(f"/api/runbooks/{RUNBOOK}", headers=auth(tokens["admin"])).json()
    shown = tm("runbook", "show", RUNBOOK, "--format", "json")
    assert shown.exit_code == 0, shown.stderr
    assert from_api == json.loads(shown.stdout)
    assert "path" not in from_api
    assert all(set(f) == {"name", "matching", "not_matching"} for f in from_api["fixtures"])  # no events


def test_api_catalogue_uses_the_same_shape(client: Any, tokens: dict[str, str]) -> None:
    listed = client.get("/api/runbooks", headers=auth(tokens["admin"])).json()["runbooks"]
    one = client.get(f"/api/runbooks/{RUNBOOK}", headers=auth(tokens["admin"])).json()
    assert next(r for r in listed if r["id"] == RUNBOOK) == one


def test_approval_schema_has_one_source() -> None:
    """The state table's INSERT and the API model are both derived from the Approval dataclass."""
    import dataclasses

    from trailmask.api.models import Approval as ApprovalBody
    from trailmask.service import approvals

    names = [f.name for f in dataclasses.fields(approvals.Approval)]
    assert list(approvals._COLUMNS) == names
    assert approvals._INSERT.startswith(f"INSERT INTO approvals ({', '.join(names)}) VALUES (")
    assert list(ApprovalBody.model_fields) == [n for n in names if n not in approvals.PRIVATE_FIELDS]
