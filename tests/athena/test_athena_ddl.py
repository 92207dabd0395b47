"""``trailmask athena ddl``: the table's DDL and every runbook as Athena SQL, offline, against golden files.

The DDL is Hive DDL (what Athena takes for ``CREATE EXTERNAL TABLE``) and is parsed with sqlglot's
Athena dialect; each runbook is a Trino query and is parsed with sqlglot's Trino dialect, printed
again, and must round-trip; its ``?`` markers must be the values its header lists. Both are
compared with golden files (tests/athena/golden; ``TRAILMASK_UPDATE_GOLDEN=1`` rewrites them after
an intended change, tests/README.md). The raw table's columns are the ones docs/export.md
documents; a masked role's table has exactly the columns and types of ``export --as ROLE``'s
files, and its partition values cover the folders that export writes. Nothing runs on Athena.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import sqlglot
from sqlglot import exp
from tests.conftest import ROOT, Cli, awsdocs_events, awsdocs_record_files, panther_events, write_jsonl
from tests.masking.golden_files import check_golden

from trailmask.service.athena import hive_type
from trailmask.sqlkit.athena_ddl import hive_type as hive_text

GOLDEN = Path(__file__).parent / "golden"
KEY = "athena-golden-key-0123456789abcdef"
LOCATION = "s3://trailmask-golden/trail/"
ROLES = ("admin", "investigator")
_VALUES = re.compile(r"^-- values, in order: (.*)$", re.MULTILINE)

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Rendered:
    tm: Cli
    root: Path
    setups: dict[str, dict[str, object]]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    root = tmp_path_factory.mktemp("athena")
    sources = root / "sources"
    write_jsonl(sources / "panther.jsonl", panther_events())
    write_jsonl(sources / "awsdocs_events.jsonl", awsdocs_events())
    for index, document in enumerate(awsdocs_record_files()):
        (sources / f"awsdocs_records_{index}.json").write_text(json.dumps(document), encoding="utf-8")
    tm = Cli(root / "store.duckdb", env={"TRAILMASK_MASKING_KEY": KEY})
    assert tm("ingest", str(sources)).exit_code == 0
    setups = {}
    for role in ROLES:
        result = tm("--format", "json", "athena", "ddl", "--role", role, "--location", LOCATION)
        assert result.exit_code == 0, result.stderr
        setups[role] = result.json()
    return Rendered(tm, root, setups)


def _columns(ddl: str) -> list[tuple[str, str]]:
    tree = sqlglot.parse_one(ddl, read="athena")
    assert isinstance(tree, exp.Create)
    schema = tree.this
    assert isinstance(schema, exp.Schema)
    return [(c.name.lower(), c.args["kind"].sql("athena")) for c in schema.expressions]


def _placeholders(text: str) -> int:
    body = "\n".join(line for line in text.splitlines() if not line.startswith("--"))
    return sum(1 for token in sqlglot.tokenize(body, read="trino") if token.token_type.name == "PLACEHOLDER")


@pytest.mark.parametrize("role", ROLES)
def test_ddl_parses_and_matches_its_golden_file(rendered: Rendered, role: str) -> None:
    setup = rendered.setups[role]
    ddl = str(setup["ddl"])
    tree = sqlglot.parse_one(ddl, read="athena")
    assert isinstance(tree, exp.Create)
    assert tree.args["kind"] == "TABLE"
    assert setup["table"] == ("cloudtrail_trailmask" if role == "admin" else f"cloudtrail_trailmask_{role}")
    assert "'projection.enabled'='true'" in ddl
    assert f"'storage.location.template'='{LOCATION}account=${{account}}/region=${{region}}/date=${{date}}'" in ddl
    assert KEY not in ddl
    check_golden(GOLDEN / f"ddl.{role}.sql", ddl + "\n")


@pytest.mark.parametrize("role", ROLES)
def test_every_runbook_parses_as_trino_and_matches_its_golden_file(rendered: Rendered, role: str) -> None:
    setup = rendered.setups[role]
    runbooks = setup["runbooks"]
    assert isinstance(runbooks, dict)
    assert setup["not_portable"] == {}
    assert len(runbooks) >= 40
    folder = GOLDEN / "runbooks" / role
    for runbook_id, text in runbooks.items():
        assert KEY not in text
        once = sqlglot.parse_one(text, read="trino").sql("trino")
        assert sqlglot.parse_one(once, read="trino").sql("trino") == once, runbook_id
        values = _VALUES.search(text)
        assert _placeholders(text) == (values.group(1).count(": ") if values else 0), runbook_id
        assert str(setup["table"]) in text
        if role != "admin":  # the masked table holds masked values: no masking logic, no key
            assert "tm_mask_key" not in text
            assert "masking key" not in text
        check_golden(folder / f"{runbook_id}.sql", text + "\n")
    stale = sorted(p.stem for p in folder.glob("*.sql") if p.stem not in runbooks)
    assert not stale, f"golden files for runbooks that are not rendered: {stale}"


def test_raw_table_has_the_documented_columns(rendered: Rendered) -> None:
    doc = (ROOT / "docs" / "export.md").read_text(encoding="utf-8")
    documented = re.search(r"```sql\n(CREATE EXTERNAL TABLE cloudtrail_trailmask \(.*?)\nPARTITIONED BY", doc, re.S)
    assert documented is not None
    statement = documented.group(1) + "\nSTORED AS PARQUET"
    assert _columns(str(rendered.setups["admin"]["ddl"])) == _columns(statement)


def test_masked_table_is_the_masked_export(rendered: Rendered) -> None:
    out = rendered.root / "investigator-export"
    result = rendered.tm("export", "--format", "parquet", str(out), "--as", "investigator")
    assert result.exit_code == 0, result.stderr
    schema = pq.read_schema(next(out.rglob("*.parquet")))
    files = ",\n".join(f"  {f.name.lower()} {hive_text(hive_type(f.type))}" for f in schema)
    ddl = str(rendered.setups["investigator"]["ddl"])
    assert _columns(ddl) == _columns(f"CREATE EXTERNAL TABLE t (\n{files}\n)\nSTORED AS PARQUET")
    for name, pattern in (("account", r"account=([^/]+)"), ("region", r"region=([^/]+)")):
        enum = re.search(rf"'projection\.{name}\.values'='([^']*)'", ddl)
        assert enum is not None
        folders = {m.group(1) for p in out.rglob("*.parquet") if (m := re.search(pattern, str(p.relative_to(out))))}
        assert folders <= set(enum.group(1).split(",")), name


def test_cli_refuses_a_bad_location_and_a_role_without_export(rendered: Rendered) -> None:
    bad = rendered.tm("athena", "ddl", "--location", "https://example.com/x")
    assert bad.exit_code == 2
    assert "s3://BUCKET/PREFIX" in bad.stderr
    assert rendered.tm("athena", "ddl", "--location", "s3://b/p'; DROP TABLE x; --").exit_code == 2
    viewer = rendered.tm("athena", "ddl", "--role", "viewer", "--location", LOCATION)
    assert viewer.exit_code == 6
    text = rendered.tm("athena", "ddl", "--location", LOCATION)
    assert text.exit_code == 0
    assert text.stdout.startswith("CREATE EXTERNAL TABLE cloudtrail_trailmask (")
    statements = [s for s in sqlglot.parse(text.stdout.split(";\n", 1)[1], read="trino") if s is not None]
    assert len(statements) == len(rendered.setups["admin"]["runbooks"])  # type: ignore[arg-type]
