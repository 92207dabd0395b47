"""``ingest lookup-events``: LookupEvents pages through botocore's Stubber (moto lacks the call)."""

from __future__ import annotations

import copy
import itertools
import json
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from tests.conftest import Cli

import trailmask.ingest.aws as aws_module
from trailmask.engines.duckdb.store import Store
from trailmask.errors import TrailmaskError, UsageError
from trailmask.ingest.lookup import Backoff, LookupRequest, RateLimiter, ingest_lookup, pages, parse_attribute

FIXTURE = Path(__file__).parent / "fixtures" / "lookup_events_pages.json"
START = datetime(2014, 1, 1, tzinfo=UTC)
END = datetime(2023, 1, 1, tzinfo=UTC)


def recorded(region: str) -> list[dict[str, Any]]:
    """The recorded pages, with EventTime parsed as boto3 returns it."""
    result = []
    for page in json.loads(FIXTURE.read_text(encoding="utf-8"))["pages"][region]:
        page = copy.deepcopy(page)
        page.pop("ResponseMetadata", None)
        for event in page["Events"]:
            event["EventTime"] = datetime.fromisoformat(event["EventTime"].replace("Z", "+00:00"))
        result.append(page)
    return result


def stubbed(region: str, expected: dict[str, Any] | None = None) -> tuple[Any, Stubber]:
    client = boto3.client(
        "cloudtrail", region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    stub = Stubber(client)
    token = None
    for page in recorded(region):
        params = dict(expected or {"MaxResults": 50, "StartTime": START, "EndTime": END})
        if token:
            params["NextToken"] = token
        stub.add_response("lookup_events", page, params)
        token = page.get("NextToken")
    stub.activate()
    return client, stub


class FakeTime:
    """A virtual clock: sleeping advances it; every sleep is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _events_in(region: str) -> int:
    return sum(len(p["Events"]) for p in recorded(region))


def test_all_pages_of_all_regions_are_loaded_and_rerun_adds_nothing(store_path: Path) -> None:
    clients = {}
    stubs = []
    for region in ("us-east-1", "us-east-2"):
        clients[region], stub = stubbed(region)
        stubs.append(stub)
    fake = FakeTime()
    request = LookupRequest(regions=("us-east-1", "us-east-2"), start=START, end=END)
    summary = ingest_lookup(Store(store_path), request, clients, clock=fake.clock, sleep=fake.sleep)
    for stub in stubs:
        stub.assert_no_pending_responses()
    totals = summary.totals()
    assert totals["events"] == _events_in("us-east-1") + _events_in("us-east-2") == 20
    assert totals["files"] == 4  # the empty page is not a file
    assert all(f.path.startswith("lookup-events://us-east-") for f in summary.files)
    assert "/20140101T000000Z-20230101T000000Z/page-" in summary.files[0].path

    clients = {region: stubbed(region)[0] for region in ("us-east-1", "us-east-2")}
    again = ingest_lookup(Store(store_path), request, clients, clock=fake.clock, sleep=fake.sleep)
    assert again.totals()["new_events"] == 0 and again.totals()["duplicates"] == 20


def test_requests_are_spaced_at_two_per_second_per_region() -> None:
    fake = FakeTime()
    limiter = RateLimiter(clock=fake.clock, sleep=fake.sleep)
    stamps = []
    for _ in range(5):
        limiter.wait()
        stamps.append(fake.now)
    assert [round(b - a, 6) for a, b in itertools.pairwise(stamps)] == [0.5] * 4
    fake.now += 10  # idle time is not banked into a burst
    limiter.wait()
    before = fake.now
    limiter.wait()
    assert fake.now - before == pytest.approx(0.5)


def test_throttled_calls_back_off_exponentially_then_succeed(store_path: Path) -> None:
    client = boto3.client("cloudtrail", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stub = Stubber(client)
    first = recorded("us-east-1")[0]
    last = dict(recorded("us-east-1")[2])
    last.pop("NextToken", None)
    for _ in range(3):
        stub.add_client_error("lookup_events", "ThrottlingException", "Rate exceeded", 400)
    stub.add_response("lookup_events", first, {"MaxResults": 50})
    stub.add_response("lookup_events", last, {"MaxResults": 50, "NextToken": first["NextToken"]})
    stub.activate()
    fake = FakeTime()
    backoff = Backoff(sleep=fake.sleep, rng=random.Random(7))
    got = list(
        pages(client, LookupRequest(regions=("us-east-1",)), RateLimiter(clock=fake.clock, sleep=fake.sleep), backoff)
    )
    stub.assert_no_pending_responses()
    assert [len(p["Events"]) for p in got] == [6, 4]
    backoffs = [s for s in fake.sleeps if s > 0.5 + 1e-9]
    assert len(backoffs) == 3
    for attempt, pause in enumerate(backoffs):
        assert 0.5 * 2**attempt <= pause <= 2**attempt


def test_persistent_throttling_gives_up_with_a_clear_error(store_path: Path) -> None:
    client = boto3.client("cloudtrail", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    stub = Stubber(client)
    for _ in range(8):
        stub.add_client_error("lookup_events", "ThrottlingException", "Rate exceeded", 400)
    stub.activate()
    fake = FakeTime()
    with pytest.raises(TrailmaskError) as caught:
        ingest_lookup(
            Store(store_path),
            LookupRequest(regions=("eu-west-1",)),
            {"eu-west-1": client},
            clock=fake.clock,
            sleep=fake.sleep,
        )
    assert "LookupEvents in eu-west-1" in str(caught.value) and "ThrottlingException" in str(caught.value)
    stub.assert_no_pending_responses()


def test_attribute_and_max_events(store_path: Path) -> None:
    expected = {
        "MaxResults": 50,
        "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "ConsoleLogin"}],
        "StartTime": ANY,
    }
    client, _ = stubbed("us-east-1", expected)
    request = LookupRequest(
        regions=("us-east-1",), start=START, attribute=parse_attribute("eventname=ConsoleLogin"), max_events=7
    )
    fake = FakeTime()
    summary = ingest_lookup(Store(store_path), request, {"us-east-1": client}, clock=fake.clock, sleep=fake.sleep)
    assert summary.totals()["events"] == 7
    with pytest.raises(UsageError):
        parse_attribute("Color=blue")
    with pytest.raises(UsageError):
        parse_attribute("EventName")


def test_cli_lookup_events_uses_the_session_clients(tm: Cli, monkeypatch: pytest.MonkeyPatch, aws_env: str) -> None:
    made: list[str | None] = []

    def fake_client(session: Any, service: str, *, region: str | None = None, **_: Any) -> Any:
        assert service == "cloudtrail"
        made.append(region)
        return stubbed("us-east-1", {"MaxResults": 50, "StartTime": START, "EndTime": ANY})[0]

    monkeypatch.setattr(aws_module, "client", fake_client)
    result = tm("ingest", "lookup-events", "--start", "2014-01-01", "--end", "2022-12-31", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert made == ["us-east-1"]  # from AWS_REGION
    assert result.json()["new_events"] == 10
    names = tm("sql", "SELECT DISTINCT eventName FROM events ORDER BY 1", "--as", "admin", "--format", "json").json()
    assert {"ConsoleLogin", "CheckMfa"} <= {row["eventName"] for row in names}
    bad = tm("ingest", "lookup-events", "--lookup-attribute", "Nope=1")
    assert bad.exit_code == 2
