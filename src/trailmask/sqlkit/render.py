"""Print an expression tree as SQL for one engine, fixing what sqlglot does not transpile.

sqlglot carries most of the portability; four details of the masking SQL need help, each a pure
tree-to-tree step applied to a copy before printing:

- capture-group references in ``regexp_replace`` replacements: RE2 (DuckDB) writes ``\\1``, Java
  (Spark) and Trino write ``$1`` and need a literal ``$`` escaped;
- Trino's ``regexp_replace`` has no flags argument (it always replaces every match);
- Trino's ``sha256`` hashes varbinary: the string goes through ``to_utf8`` first;
- Trino's ``reduce`` needs an output (finish) function;
- a session value (the masking key) is DuckDB's ``getvariable('table__column')``; engines without
  session variables read the same temporary table with a scalar subquery.
"""

from __future__ import annotations

import logging
import re

from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB

from trailmask.sqlkit.expr import Expr

DIALECTS = ("duckdb", "spark", "trino")

# sqlglot logs unsupported-syntax notes; the sandbox reports rejections itself.
logging.getLogger("sqlglot").setLevel(logging.ERROR)

_RE2_REPLACEMENT = re.compile(r"\\(\d)|\\(.)|(\$)", re.DOTALL)


def java_replacement(replacement: str) -> str:
    """``\\1`` → ``$1``; literal ``$`` → ``\\$``; ``\\x`` (escaped char) → ``\\x``."""

    def convert(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return "$" + match.group(1)
        if match.group(2) is not None:
            return "\\" + match.group(2)
        return "\\$"

    return _RE2_REPLACEMENT.sub(convert, replacement)


def _fix_regexp_replace(node: exp.RegexpReplace, dialect: str) -> exp.Expr:
    replacement = node.args.get("replacement")
    if isinstance(replacement, exp.Literal) and replacement.is_string:
        node.set("replacement", exp.Literal.string(java_replacement(replacement.this)))
    if dialect == "trino":
        node.set("modifiers", None)
    return node


def _session_value_subquery(node: exp.Anonymous) -> exp.Expr:
    name = node.expressions[0].this
    table_name, _, column_name = name.partition("__")
    query = exp.select(exp.column(column_name)).from_(table_name)
    return exp.Subquery(this=query)


def _fix(node: exp.Expr, dialect: str) -> exp.Expr:
    if isinstance(node, exp.RegexpReplace):
        return _fix_regexp_replace(node, dialect)
    if isinstance(node, exp.Anonymous) and str(node.this).lower() == "getvariable":
        return _session_value_subquery(node)
    if dialect == "trino" and isinstance(node, exp.SHA2):
        node.set("this", exp.Anonymous(this="to_utf8", expressions=[node.this]))
        return node
    if dialect == "trino" and isinstance(node, exp.Reduce) and not node.args.get("finish"):
        node.set("finish", exp.Lambda(this=exp.to_identifier("tm_r"), expressions=[exp.to_identifier("tm_r")]))
        return node
    return node


def to_sql(tree: Expr, dialect: str = "duckdb", *, pretty: bool = False) -> str:
    """SQL text of ``tree`` for ``dialect`` (duckdb, spark or trino)."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; expected one of {', '.join(DIALECTS)}")
    if dialect != "duckdb":
        tree = tree.copy().transform(lambda node: _fix(node, dialect), copy=False)
    return tree.sql(dialect=dialect, pretty=pretty)


class RenderedRelation(exp.Expression):
    """A relation's DuckDB SQL, printed once by sqlglot from its compiled tree (cached per role).

    A query's tree holds it in place of an ``events`` reference (``sqlkit.rewrite.bind_relation_sql``),
    and the printer writes its text where the node is: the user's SQL is printed from its tree, the
    relation from its tree, and nothing is spliced into printed text. ``indentable``: no string
    literal of the relation holds a line break, so pretty printing may indent its lines.
    """

    arg_types = {"this": True, "indentable": False}  # noqa: RUF012 (sqlglot node convention)


def render_relation(tree: Expr) -> RenderedRelation:
    """Print ``tree`` (a compiled relation) once, for binding into any number of queries."""
    breaks = any(
        isinstance(node, exp.Literal) and node.is_string and ("\n" in node.this or "\r" in node.this)
        for node in tree.walk()
    )
    return RenderedRelation(this=to_sql(tree, "duckdb", pretty=not breaks), indentable=not breaks)


class _Printer(DuckDB):
    """DuckDB, plus :class:`RenderedRelation` written as its text."""

    class Generator(DuckDB.Generator):  # type: ignore[misc,valid-type]
        TRANSFORMS = {**DuckDB.Generator.TRANSFORMS, RenderedRelation: lambda _, node: node.this}  # noqa: RUF012


def to_sql_bound(tree: Expr, *, pretty: bool = False) -> str:
    """DuckDB SQL of a query tree holding :class:`RenderedRelation` nodes.

    Pretty printing indents nested text, so it is used only when every relation is indentable (a
    line break inside a string literal must stay as it is).
    """
    indentable = all(node.args.get("indentable") for node in tree.find_all(RenderedRelation))
    return tree.sql(dialect=_Printer, pretty=pretty and indentable)
