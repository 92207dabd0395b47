"""Finding 10 (JSON numbers): a 12-digit bare JSON number is masked and the rest of the value kept.

Quoting big numbers replaced every occurrence of ``:123456789012`` in the text, inside strings too,
which broke the JSON: the whole ``requestParameters`` came back NULL (fail closed, but the
investigator lost the record). Only the runs between JSON strings are rewritten now.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.security.masking_probe import ask, masked_text, store_with

ACCOUNT = "123456789012"


@pytest.mark.parametrize(
    "document",
    [
        f'{{"note":"x:{ACCOUNT}","accountId":{ACCOUNT}}}',
        f'{{"list":"a,{ACCOUNT}","ids":[{ACCOUNT}, 5],"n":{{"m": {ACCOUNT}}}}}',
        f'{{"s":"[{ACCOUNT}","t":"\\":{ACCOUNT}","a":{ACCOUNT}}}',
    ],
)
def test_bare_number_masked_rest_kept(document: str) -> None:
    out = masked_text(document, as_json=True)
    assert out is not None
    assert ACCOUNT not in out
    parsed, original = json.loads(out), json.loads(document)
    assert set(parsed) == set(original)


def test_in_a_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAILMASK_MASKING_KEY", "sec-f10-masking-key-0123456789")
    event = {
        "eventTime": "2024-04-02T08:00:00Z",
        "eventSource": "organizations.amazonaws.com",
        "eventName": "DescribeAccount",
        "eventID": "f1000000-0001",
        "requestParameters": {"accountId": int(ACCOUNT), "note": f"x:{ACCOUNT}", "kind": "member"},
    }
    ctx = store_with(tmp_path, [event])
    [[value]] = ask(ctx, "investigator", "SELECT requestParameters FROM events").rows
    assert value is not None
    parsed = json.loads(value)
    assert parsed["kind"] == "member"
    assert parsed["accountId"].startswith("acct_")
