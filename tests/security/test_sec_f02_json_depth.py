"""Finding 2: values under secret JSON keys are masked at any depth, whatever their type.

``_JSON_VALUE`` allowed two levels of nesting: ``{"password":{"a":{"b":{"c":"..."}}}}`` and
``{"userData":[[["..."]]]}`` came back raw. Objects and arrays under a secret key are now redacted
bottom-up before the scan, with no depth limit.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.security.masking_probe import masked_text

SECRET = "hunter2-deep-canary"


def _nest(depth: int, leaf: Any, kind: str) -> Any:
    value = leaf
    for level in range(depth):
        value = {f"k{level}": value} if kind == "object" else [value]
    return value


@pytest.mark.parametrize("depth", [1, 2, 3, 5, 12])
@pytest.mark.parametrize("kind", ["object", "array"])
@pytest.mark.parametrize("key", ["password", "userData", "clientSecret", "masterUserPassword"])
def test_secret_containers_any_depth(key: str, kind: str, depth: int) -> None:
    document = {"keep": "visible", key: _nest(depth, SECRET, kind), "after": [1, {"x": "y"}]}
    out = masked_text(json.dumps(document), as_json=True)
    assert out is not None, "the value must stay valid JSON"
    parsed = json.loads(out)
    assert parsed[key] == "[REDACTED:json_key]"
    assert parsed["keep"] == "visible"
    assert parsed["after"] == [1, {"x": "y"}]
    assert SECRET not in out


def test_red_team_documents() -> None:
    for document in ('{"password":{"a":{"b":{"c":"s3cr3t-x"}}}}', '{"userData":[[["s3cr3t-x"]]]}'):
        out = masked_text(document, as_json=True)
        assert "s3cr3t-x" not in out
        assert json.loads(out) == json.loads(
            document.replace(document[document.index(":") + 1 : -1], '"[REDACTED:json_key]"')
        )


def test_nested_secret_inside_a_plain_container_and_brackets_inside_strings() -> None:
    document = {"config": {"deep": [{"db": {"password": {"v": [SECRET, "]}{"]}}}]}, "note": "a [b] {c}"}
    out = json.loads(masked_text(json.dumps(document), as_json=True))
    assert out["config"]["deep"][0]["db"]["password"] == "[REDACTED:json_key]"
    assert out["note"] == "a [b] {c}"


def test_json_inside_plain_text_too() -> None:
    out = masked_text(f'error: {{"password": {{"a": [{{"b": "{SECRET}"}}]}}}}')
    assert SECRET not in out


def test_event_specific_containers_any_depth() -> None:
    document = json.dumps({"functionName": "f", "environment": {"variables": {"A": {"B": {"C": SECRET}}}}})
    out = masked_text(document, as_json=True, event=("lambda.amazonaws.com", "UpdateFunctionConfiguration"))
    assert SECRET not in out
    other = masked_text(document, as_json=True, event=("iam.amazonaws.com", "X"))
    assert SECRET in other  # the rule names Lambda events only
