"""``trailmask export``: Parquet dataset vs the documented Athena DDL, CSV, JSON lines, roles."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from tests.conftest import ROOT, Cli

DOC = ROOT / "docs" / "export.md"
PARTITIONS = ["account", "region", "date"]

# AWS's Athena CloudTrail DDL ("Create a table for CloudTrail logs in Athena using manual
# partitioning"): column and struct field names only.
AWS_DDL: dict[str, Any] = {
    "eventversion": None,
    "useridentity": {
        "type": None,
        "principalid": None,
        "arn": None,
        "accountid": None,
        "invokedby": None,
        "accesskeyid": None,
        "username": None,
        "onbehalfof": {"userid": None, "identitystorearn": None},
        "sessioncontext": {
            "attributes": {"mfaauthenticated": None, "creationdate": None},
            "sessionissuer": {"type": None, "principalid": None, "arn": None, "accountid": None, "username": None},
            "ec2roledelivery": None,
            "webidfederationdata": {"federatedprovider": None, "attributes": None},
        },
    },
    **dict.fromkeys(
        [
            "eventtime",
            "eventsource",
            "eventname",
            "awsregion",
            "sourceipaddress",
            "useragent",
            "errorcode",
            "errormessage",
            "requestparameters",
            "responseelements",
            "additionaleventdata",
            "requestid",
            "eventid",
        ]
    ),
    "resources": [{"arn": None, "accountid": None, "type": None}],
    **dict.fromkeys(
        [
            "eventtype",
            "apiversion",
            "readonly",
            "recipientaccountid",
            "serviceeventdetails",
            "sharedeventid",
            "vpcendpointid",
            "vpcendpointaccountid",
            "eventcategory",
        ]
    ),
    "addendum": {"reason": None, "updatedfields": None, "originalrequestid": None, "originaleventid": None},
    "sessioncredentialfromconsole": None,
    "edgedevicedetails": None,
    "tlsdetails": {"tlsversion": None, "ciphersuite": None, "clienthostheader": None},
}
DOCUMENTED_DIFFERENCES = {"tlsdetails.clienthostheader"}


def _split_top(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"<": 1, ">": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [p.strip() for p in [*parts, current] if p.strip()]


def hive_type(text: str) -> Any:
    """A Hive type string as a tree: "STRING" | {"field": type} | [element]."""
    text = text.strip()
    upper = text.upper()
    if upper.startswith("STRUCT<"):
        fields = {}
        for part in _split_top(text[7:-1]):
            name, _, kind = part.partition(":")
            fields[name.strip().lower()] = hive_type(kind)
        return fields
    if upper.startswith("ARRAY<"):
        return [hive_type(text[6:-1])]
    return upper


def documented_ddl() -> tuple[dict[str, Any], list[str]]:
    block = next(b for b in re.findall(r"```sql\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S) if "CREATE" in b)
    body = block[block.index("(") + 1 : block.index("\n)\nPARTITIONED BY")]
    columns = {}
    for part in _split_top(body):
        name, kind = part.split(None, 1)
        columns[name.lower()] = hive_type(kind)
    partitions = re.search(r"PARTITIONED BY \((.*?)\)\n", block)
    assert partitions
    names = [p.split()[0].strip("`").lower() for p in _split_top(partitions.group(1))]
    return columns, names


def arrow_type(kind: pa.DataType) -> Any:
    if pa.types.is_struct(kind):
        return {kind.field(i).name.lower(): arrow_type(kind.field(i).type) for i in range(kind.num_fields)}
    if pa.types.is_list(kind):
        return [arrow_type(kind.value_type)]
    if pa.types.is_timestamp(kind):
        return "TIMESTAMP"
    if pa.types.is_boolean(kind):
        return "BOOLEAN"
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return "STRING"
    return str(kind)


def _paths(tree: Any, prefix: str = "") -> set[str]:
    if isinstance(tree, list):
        return _paths(tree[0], prefix)
    if not isinstance(tree, dict):
        return set()
    found = set()
    for name, sub in tree.items():
        found.add(prefix + name)
        found |= _paths(sub, prefix + name + ".")
    return found


@pytest.fixture
def loaded(tm: Cli, third_party_dir: Path) -> Cli:
    assert tm("ingest", str(third_party_dir)).exit_code == 0
    return tm


def _count(tm: Cli) -> int:
    return int(tm("sql", "SELECT count(*) AS n FROM events", "--as", "admin", "--format", "json").json()[0]["n"])


def test_parquet_export_matches_the_documented_athena_ddl(loaded: Cli, tmp_path: Path) -> None:
    out = tmp_path / "dataset"
    result = loaded("--format", "json", "export", "--format", "parquet", str(out))
    assert result.exit_code == 0, result.stderr
    summary = result.json()
    assert summary["rows"] == _count(loaded) > 400
    assert all(re.fullmatch(r"account=[^/]+/region=[^/]+/date=[^/]+/part-\d+\.parquet", f) for f in summary["files"])

    files = sorted(out.rglob("*.parquet"))
    file_schema = pq.read_schema(files[0])
    columns, partitions = documented_ddl()
    assert partitions == PARTITIONS
    assert {f.name.lower(): arrow_type(f.type) for f in file_schema} == columns
    assert [f.name.lower() for f in file_schema] == list(columns)  # same order too
    missing = _paths(AWS_DDL) - _paths(columns) - DOCUMENTED_DIFFERENCES
    assert not missing, missing

    dataset = ds.dataset(out, format="parquet", partitioning="hive")
    assert dataset.count_rows() == summary["rows"]
    assert dataset.schema.names[-3:] == PARTITIONS


def test_partitions_follow_the_events(loaded: Cli, tmp_path: Path) -> None:
    out = tmp_path / "dataset"
    assert loaded("export", "--format", "parquet", str(out)).exit_code == 0
    expected = loaded(
        "sql",
        "SELECT coalesce(recipientAccountId, userIdentity.accountId) AS account, awsRegion AS region, "
        "strftime(eventTime, '%Y-%m-%d') AS date, count(*) AS n FROM events GROUP BY ALL",
        "--as",
        "admin",
        "--format",
        "json",
    ).json()
    glob = str(out / "**" / "*.parquet")
    got = duckdb.sql(
        f"SELECT account, region, CAST(date AS VARCHAR) AS date, count(*) AS n FROM read_parquet('{glob}', "
        "hive_partitioning = true, hive_types_autocast = false) GROUP BY ALL"
    ).fetchall()
    assert sorted(got, key=str) == sorted(((r["account"], r["region"], r["date"], r["n"]) for r in expected), key=str)
    sample = duckdb.sql(f"SELECT eventTime, readOnly, userIdentity.type FROM read_parquet('{glob}') LIMIT 1")
    assert [str(t) for t in sample.types] == ["TIMESTAMP WITH TIME ZONE", "BOOLEAN", "VARCHAR"]


def test_csv_and_json_lines(loaded: Cli, tmp_path: Path) -> None:
    total = _count(loaded)
    assert loaded("export", "--format", "csv", str(tmp_path / "c")).exit_code == 0
    with (tmp_path / "c" / "events.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == total
    assert {"eventTime", "userIdentity", "tm_raw"} <= set(rows[0])
    assert all(r["readOnly"] in ("true", "false", "") for r in rows)
    identity = json.loads(next(r["userIdentity"] for r in rows if r["userIdentity"]))
    assert "principalId" in identity
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r["eventTime"]) for r in rows if r["eventTime"])

    assert loaded("export", "--format", "json", str(tmp_path / "j")).exit_code == 0
    lines = (tmp_path / "j" / "events.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == total
    events = [json.loads(line) for line in lines]
    assert any(isinstance(e["requestParameters"], dict) for e in events)
    assert all(isinstance(e["tm_raw"], dict) for e in events)
    assert all(e["tm_raw"].get("eventName") == e["eventName"] for e in events)


def test_non_empty_directory_needs_overwrite(loaded: Cli, tmp_path: Path) -> None:
    out = tmp_path / "dataset"
    assert loaded("export", "--format", "parquet", str(out)).exit_code == 0
    again = loaded("export", "--format", "parquet", str(out))
    assert again.exit_code == 11 and "not empty" in again.stderr
    assert loaded("export", "--format", "parquet", str(out), "--overwrite").exit_code == 0
    assert ds.dataset(out, format="parquet", partitioning="hive").count_rows() == _count(loaded)


def _sql(tm: Cli, query: str, role: str) -> list[dict[str, Any]]:
    result = tm("sql", query, "--as", role, "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows: list[dict[str, Any]] = result.json()
    return rows


def test_masked_export_holds_exactly_the_roles_view(loaded: Cli, tmp_path: Path) -> None:
    query = "SELECT DISTINCT recipientAccountId AS a FROM events"
    accounts = {r["a"] for r in _sql(loaded, query, "admin") if r["a"] and re.fullmatch(r"\d{12}", r["a"])}
    ips = {r["ip"] for r in _sql(loaded, "SELECT DISTINCT sourceIPAddress AS ip FROM events", "admin")}
    raw_ips = {ip for ip in ips if ip and re.fullmatch(r"\d+\.\d+\.\d+\.\d+", ip)}
    assert len(accounts) > 5 and len(raw_ips) > 5

    out = tmp_path / "inv"
    assert loaded("export", "--format", "json", str(out), "--as", "investigator").exit_code == 0
    text = (out / "events.jsonl").read_text(encoding="utf-8")
    events = [json.loads(line) for line in text.splitlines()]
    assert len(events) == len(_sql(loaded, "SELECT eventID FROM events", "investigator"))
    assert all(e["tm_raw"] is None for e in events)
    assert not [e for e in events if e["recipientAccountId"] in accounts]
    assert not [e for e in events if (e["userIdentity"] or {}).get("accountId") in accounts]
    assert not [ip for ip in raw_ips if f'"{ip}"' in text]
    seen = {r["ip"] for r in _sql(loaded, "SELECT DISTINCT sourceIPAddress AS ip FROM events", "investigator")}
    assert {e["sourceIPAddress"] for e in events} == seen

    dataset = tmp_path / "inv-parquet"
    assert loaded("export", "--format", "parquet", str(dataset), "--as", "investigator").exit_code == 0
    folders = {p.relative_to(dataset).parts[0] for p in dataset.rglob("*.parquet")}
    assert folders and not [f for f in folders if any(a in f for a in accounts)]
    table = ds.dataset(dataset, format="parquet", partitioning="hive").to_table()
    assert not set(table.column("recipientAccountId").to_pylist()) & accounts
    assert not set(table.column("account").to_pylist()) & accounts
    assert table.num_rows == len(events)


def test_refusals_are_audited(loaded: Cli, tmp_path: Path, store_path: Path) -> None:
    viewer = loaded("export", "--format", "json", str(tmp_path / "v"), "--as", "viewer")
    assert viewer.exit_code == 6 and "export" in viewer.stderr
    assert not (tmp_path / "v").exists()
    assert loaded("export", "--format", "csv", str(tmp_path / "a")).exit_code == 0
    audit = store_path.with_name(store_path.name + ".audit.jsonl")
    entries = [json.loads(line) for line in audit.read_text(encoding="utf-8").splitlines() if line.strip()]
    exports = [(e.get("role"), e.get("action"), e.get("outcome")) for e in entries if "export" in str(e.get("action"))]
    assert exports == [
        ("viewer", "export", "forbidden"),
        ("admin", "export", "ok"),
        ("admin", "export.done", "ok"),
    ]


def test_a_masked_plan_that_masks_nothing_is_refused() -> None:
    from trailmask.errors import PermissionDenied
    from trailmask.models import PreparedQuery
    from trailmask.service.export import EXPORT_SQL, _refuse_unmasked

    _refuse_unmasked(PreparedQuery(EXPORT_SQL, {}, "raw"), "admin")
    with pytest.raises(PermissionDenied, match="refusing to export raw events"):
        _refuse_unmasked(PreparedQuery(EXPORT_SQL, {}, "masked:investigator@abc"), "investigator")
