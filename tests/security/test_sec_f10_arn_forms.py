"""Finding 10 (ARNs): upper-case ARNs and ARNs whose account field is not 12 digits are masked.

The ``arn`` operator and the free-text detector recognised ``arn:`` in lower case with a 12-digit
(or ``aws``) account only: ``ARN:AWS:IAM::123456789012:USER/ALICE`` kept its user name, and
``arn:aws:iam::1234:user/alice`` was not seen as an ARN at all (name and account raw).
"""

from __future__ import annotations

import pytest
from tests.security.masking_probe import masked_field, masked_text

CASES = [
    ("ARN:AWS:IAM::123456789012:USER/ALICE", ["123456789012", "ALICE"]),
    ("Arn:Aws:Iam::123456789012:Role/Admin", ["123456789012", "Admin"]),
    ("arn:aws:iam::1234:user/alice", ["1234:", "alice"]),
    ("arn:aws:iam::00123456789012:user/alice", ["00123456789012", "alice"]),
    ("arn:aws:iam::ACCOUNT:user/alice", ["ACCOUNT", "alice"]),
]


@pytest.mark.parametrize("role", ["investigator", "viewer"])
@pytest.mark.parametrize(("value", "raw"), CASES)
def test_structured_arn_fields(value: str, raw: list[str], role: str) -> None:
    out = masked_field(value, "arn", role)
    assert all(part not in out for part in raw), out


@pytest.mark.parametrize("role", ["investigator", "viewer"])
@pytest.mark.parametrize(("value", "raw"), CASES)
def test_arns_in_free_text(value: str, raw: list[str], role: str) -> None:
    out = masked_text(f"User: {value} is not authorized", role)
    assert all(part not in out for part in raw), out


def test_aws_owned_arns_in_any_case_are_kept() -> None:
    for value in ("arn:aws:iam::aws:policy/ReadOnlyAccess", "ARN:AWS:IAM::AWS:POLICY/ReadOnlyAccess"):
        assert masked_field(value, "arn", "investigator") == value
