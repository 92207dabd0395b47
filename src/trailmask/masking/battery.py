"""The adversarial query battery of ``trailmask verify`` (and of the masking tests).

Each query says what a safe answer looks like:

- ``rows``: its output (cells, rows, columns) and any error message must hold no canary;
- ``zero``: a probe (WHERE/LIKE/BETWEEN/hash comparison against a raw canary); every value it
  returns must be 0 or false, otherwise the masked relation is an oracle;
- ``rejected``: the sandbox must refuse it (catalog, files, settings, other statements).

The queries cover the known bypasses of dynamic masking: SELECT *, nested struct fields, the row
as a value, JSON functions, string functions (substr, reverse, upper, split), hashes and encodings,
aggregates (string_agg, list), joins, CTEs, subqueries, UNION, window functions and errors.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from trailmask.masking.canary import Canary
from trailmask.schema import INTERNAL_COLUMNS, iter_leaves


@dataclass(frozen=True)
class BatteryQuery:
    label: str
    sql: str
    expect: str  # rows | zero | rejected


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def leaf_expressions() -> list[tuple[str, str]]:
    """(label, SQL) reading each string leaf as text; list leaves are joined."""
    found = []
    for leaf in iter_leaves():
        if leaf.type not in ("STRING", "JSON"):
            continue
        if leaf.in_array:
            head, _, tail = leaf.path.partition("[].")
            found.append((leaf.path, f"array_to_string(list_transform({head}, lambda r: r.{tail}), '|')"))
        else:
            found.append((leaf.path, f"CAST({leaf.path} AS VARCHAR)"))
    found += [(name, f"CAST({name} AS VARCHAR)") for name, kind in INTERNAL_COLUMNS.items() if kind != "TIMESTAMP"]
    return found


TRANSFORMS: dict[str, str] = {
    "as is": "{x}",
    "upper": "upper({x})",
    "lower": "lower({x})",
    "reverse": "reverse({x})",
    "first 8": "substr({x}, 1, 8)",
    "after 8": "substr({x}, 9)",
    "md5": "md5({x})",
    "sha256": "sha256({x})",
    "hex": "hex({x})",
    "base64": "to_base64(encode({x}))",
    "characters": "array_to_string(string_split({x}, ''), ',')",
    "letters only": "regexp_replace({x}, '[^A-Za-z0-9]', '', 'g')",
    "string_agg": "string_agg({x}, '|')",
    "list": "CAST(list({x}) AS VARCHAR)",
}

JSON_PATHS = (
    "$.password", "$.newPassword", "$.credentials", "$.credentials.sessionToken", "$.deep.level2.unknownKeyZ",
    "$.deep.level2.list", "$.value", "$.environment.variables", "$.environment.variables.DB_PASSWORD",
    "$.jwt", "$.pem", "$.opaque", "$.accountNumber", "$.ownerId", "$.userName",
)  # fmt: skip
JSON_COLUMNS = ("requestParameters", "responseElements", "additionalEventData", "serviceEventDetails")

STRUCTURAL = (
    ("select star", "SELECT * FROM events"),
    ("row as a value", "SELECT e FROM events e"),
    ("row as JSON", "SELECT to_json(e) FROM events e"),
    (
        "nested struct",
        "SELECT userIdentity, userIdentity.sessionContext, userIdentity.sessionContext.sessionIssuer FROM events",
    ),
    ("unnest resources", "SELECT r.* FROM events, unnest(resources) AS t(r)"),
    ("unnest in select", "SELECT unnest(resources) FROM events"),
    (
        "self join",
        "SELECT a.userIdentity.userName, b.sourceIPAddress, b.userIdentity.arn "
        "FROM events a JOIN events b ON a.eventID = b.eventID",
    ),
    ("cte", "WITH x AS (SELECT * FROM events) SELECT x.userIdentity.accessKeyId, x.requestParameters FROM x"),
    ("nested cte", "WITH a AS (SELECT * FROM events), b AS (SELECT userIdentity AS u FROM a) SELECT u.* FROM b"),
    ("subquery", "SELECT (SELECT max(userIdentity.userName) FROM events), (SELECT list(sourceIPAddress) FROM events)"),
    (
        "union",
        "SELECT userIdentity.userName AS v FROM events UNION ALL SELECT sourceIPAddress FROM events "
        "UNION ALL SELECT errorMessage FROM events",
    ),
    (
        "window",
        "SELECT first_value(userIdentity.arn) OVER (ORDER BY eventTime), lag(recipientAccountId) OVER () FROM events",
    ),
    ("group by", "SELECT userIdentity.userName, userIdentity.accountId, count(*) FROM events GROUP BY ALL"),
    ("json keys", "SELECT json_keys(requestParameters), json_structure(requestParameters) FROM events"),
    ("struct pack", "SELECT struct_pack(a := userIdentity.accessKeyId, b := tlsDetails) FROM events"),
    (
        "exists",
        "SELECT eventID FROM events e WHERE EXISTS "
        "(SELECT 1 FROM events f WHERE f.sourceIPAddress = e.sourceIPAddress)",
    ),
)

REJECTED = (
    "SELECT * FROM duckdb_tables()", "SELECT * FROM duckdb_views()", "SELECT * FROM duckdb_functions()",
    "SELECT * FROM duckdb_settings()", "SELECT * FROM duckdb_variables()", "SELECT * FROM duckdb_secrets()",
    "SELECT * FROM information_schema.tables", "SELECT * FROM pg_catalog.pg_tables", "SELECT * FROM sqlite_master",
    "SELECT current_setting('memory_limit')", "SELECT getvariable('tm_mask_key__k')", "SELECT current_query()",
    "SELECT * FROM tm_mask_key", "SELECT * FROM temp.main.tm_mask_key", "SELECT * FROM main.events",
    "SELECT * FROM tm_files", "SELECT * FROM read_csv('/etc/passwd')", "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM '/etc/passwd'", "SELECT * FROM glob('/*')", "SELECT * FROM query('SELECT 1')",
    "SELECT * FROM query_table('events')", "SELECT json_execute_serialized_sql('{}')", "PRAGMA database_list",
    "SET enable_external_access = true", "ATTACH '/tmp/tm-verify-attach.db' AS x", "COPY events TO '/tmp/x.csv'",
    "EXPORT DATABASE '/tmp/tm-verify-export'", "INSTALL httpfs", "LOAD httpfs", "CALL pragma_version()",
    "SELECT 1; SELECT 2", "WITH tm_mask_key AS (SELECT 'k' AS k) SELECT * FROM events",
    "WITH events AS (SELECT 1 AS x) SELECT * FROM events", "DESCRIBE events", "SUMMARIZE events",
    "CREATE TABLE x AS SELECT 1", "SELECT * FROM events AT (VERSION => 1)", "SELECT version()",
    "SELECT * FROM events WHERE eventName = ?",
)  # fmt: skip


def _transform_queries(leaves: list[tuple[str, str]]) -> list[BatteryQuery]:
    queries = []
    for name, template in TRANSFORMS.items():
        columns = ", ".join(f"{template.format(x=sql)} AS c{i}" for i, (_, sql) in enumerate(leaves))
        queries.append(BatteryQuery(f"string function: {name}", f"SELECT {columns} FROM events", "rows"))
    return queries


def _json_queries() -> list[BatteryQuery]:
    queries = []
    for column in JSON_COLUMNS:
        parts = [f"{column} ->> {_quote(p)}" for p in JSON_PATHS] + [
            f"json_extract({column}, {_quote(p)})" for p in JSON_PATHS
        ]
        select = ", ".join(f"CAST({p} AS VARCHAR) AS j{i}" for i, p in enumerate(parts))
        queries.append(BatteryQuery(f"JSON functions on {column}", f"SELECT {select} FROM events", "rows"))
    return queries


def _leaf_of(label: str, leaves: dict[str, str]) -> str | None:
    """The leaf a canary was planted in (its label is ``event.<path>[ (name)]``)."""
    path = label.removeprefix("event.").removesuffix(" (name)")
    for candidate in sorted(leaves, key=len, reverse=True):
        if path == candidate or path.startswith(candidate + "."):
            return candidate
    return None


def _probe_conditions(canaries: Iterable[Canary], leaves: list[tuple[str, str]]) -> list[str]:
    """Each leaf against its own canary (=, BETWEEN, prefix LIKE, md5) and every canary anywhere.

    Conditions read the columns of the probe CTE: ``l<i>`` (leaf i as text) and ``everything``.
    """
    index = {path: f"l{i}" for i, (path, _) in enumerate(leaves)}
    conditions = []
    for canary in canaries:
        if len(canary.secret) < 8 or "\n" in canary.secret:
            continue
        literal = _quote(canary.secret)
        conditions.append(f"contains(everything, {literal})")
        leaf = _leaf_of(canary.label, index)
        if leaf is None:
            continue
        column, digest = index[leaf], hashlib.md5(canary.secret.encode()).hexdigest()  # noqa: S324 (a probe)
        conditions += [
            f"{column} = {literal}",
            f"{column} BETWEEN {literal} AND {literal}",
            f"{column} LIKE {_quote(canary.secret[:6] + '%' + canary.secret[-2:])}",
            f"md5({column}) = {_quote(digest)}",
        ]
    return conditions


def _probe_queries(canaries: Iterable[Canary], leaves: list[tuple[str, str]]) -> list[BatteryQuery]:
    conditions = _probe_conditions(canaries, leaves)
    columns = ", ".join(f"{sql} AS l{i}" for i, (_, sql) in enumerate(leaves))
    everything = "concat_ws('|', " + ", ".join(f"l{i}" for i in range(len(leaves))) + ")"
    source = f"WITH t AS (SELECT {columns} FROM events), p AS (SELECT *, {everything} AS everything FROM t)"
    queries = []
    for start in range(0, len(conditions), 300):
        chunk = conditions[start : start + 300]
        counts = ", ".join(f"count(*) FILTER (WHERE {c}) AS p{start + i}" for i, c in enumerate(chunk))
        label = f"WHERE/LIKE/BETWEEN/hash probes #{start // 300 + 1}"
        queries.append(BatteryQuery(label, f"{source} SELECT {counts} FROM p", "zero"))
    return queries


def battery(canaries: Iterable[Canary]) -> list[BatteryQuery]:
    """Every adversarial query for the given canaries (the same for every masked role)."""
    leaves = leaf_expressions()
    canaries = list(canaries)
    queries = [BatteryQuery(label, sql, "rows") for label, sql in STRUCTURAL]
    queries += _transform_queries(leaves)
    queries += _json_queries()
    queries += [
        BatteryQuery("error message: cast", "SELECT CAST(userIdentity.userName AS INTEGER) FROM events", "rows"),
        BatteryQuery("error message: json", "SELECT json_extract(errorMessage, '$.x') FROM events", "rows"),
        BatteryQuery("error message: struct", "SELECT CAST(userAgent AS STRUCT(a INT)) FROM events", "rows"),
    ]
    queries += _probe_queries(canaries, leaves)
    queries += [BatteryQuery(f"sandbox: {sql}", sql, "rejected") for sql in REJECTED]
    return queries
