"""Finding 1: a detector candidate that fails its confirmation falls through to the other detectors.

The red team: the ``card`` pattern took ``210987654321 2024`` whole, the Luhn check failed and the
text was kept, so ``account_id`` never saw the account id (viewer: ``errorMessage`` showed it while
``recipientAccountId`` was ``XXXXX``). ``high_entropy`` had the same shape: a long run failing the
randomness test hid an address or account id at its end. Now confirmation is its own pass and a
failed candidate's text is scanned again by every other detector, at every position.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.security.masking_probe import masked_text, store_with

from trailmask.models import Actor
from trailmask.service.runbooks import run_runbook

ACCOUNT = "210987654321"


@pytest.mark.parametrize("role", ["viewer", "investigator"])
@pytest.mark.parametrize(
    "text",
    [
        f"Access to account {ACCOUNT} 2024 denied by SCP",  # card candidate, Luhn fails
        f"logs-{ACCOUNT}-7",  # the same with a dash
        f"2024 {ACCOUNT}",  # the account at the end of the candidate
        f"bucket logs-of-the-team-{ACCOUNT}-archive",  # high_entropy candidate: word-like, fails
    ],
)
def test_account_id_behind_a_failed_candidate_is_masked(text: str, role: str) -> None:
    out = masked_text(text, role)
    assert ACCOUNT not in out
    assert ("[REDACTED:account_id]" if role == "viewer" else "acct_") in out


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        ("via proxy-of-some-length/203.0.113.77 ok", "203.0.113.77"),  # high_entropy run ends inside the IP
        ("1234 5678 9012 3.4.5.6 end", "3.4.5.6"),  # card candidate ends inside the IP
        ("1234 5678 9012 3456@mail.example.com", "3456@mail.example.com"),  # and inside an e-mail
        ("trace-id-for-the-request-arn:aws:iam::111122223333:user/alice", "alice"),
    ],
)
def test_a_match_straddling_a_failed_candidate_is_found(text: str, raw: str) -> None:
    assert raw not in masked_text(text, "viewer")


def test_confirmed_candidates_still_win() -> None:
    assert masked_text("card 4539 1488 0343 6467.") == "card [REDACTED:card]."
    assert masked_text("api Zx9Qw3Er7Ty2Ui8Op4As6Df1Gh5Jk0L end") == "api [REDACTED:high_entropy] end"
    # a confirmed secret is not scanned again (its masked form is never re-masked)
    assert masked_text("k wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY 198.51.100.1") == (
        "k [REDACTED:aws_secret_key] 198.51.100.xxx"
    )


def test_runbook_as_viewer_hides_the_account_in_the_error_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAILMASK_MASKING_KEY", "sec-f01-masking-key-0123456789")
    event = {
        "eventVersion": "1.08",
        "eventTime": "2024-04-02T08:00:00Z",
        "eventSource": "organizations.amazonaws.com",
        "eventName": "DescribeAccount",
        "awsRegion": "us-east-1",
        "recipientAccountId": ACCOUNT,
        "sourceIPAddress": "198.51.100.7",
        "userIdentity": {"type": "IAMUser", "arn": f"arn:aws:iam::{ACCOUNT}:user/mallory", "userName": "mallory"},
        "errorCode": "AccessDenied",
        "errorMessage": f"Access to account {ACCOUNT} 2024 denied by SCP (logs-{ACCOUNT}-7)",
        "eventID": "f0000000-0001",
    }
    ctx = store_with(tmp_path, [event])
    for role in ("viewer", "investigator"):
        result = run_runbook(ctx, Actor(name="t", role=role), "cis-unauthorized-api-calls", {"since": "all"})
        assert result.rows, role
        text = repr(result.rows)
        assert ACCOUNT not in text, role
