"""DuckDB functions and types that Spark SQL or Trino (Athena) spell differently, rewritten as trees.

sqlglot transpiles most functions itself; this module handles what it cannot know without types
or what the engines do differently (step 3 of trailmask.sqlkit.dialects):

- JSON values are text in Spark and in the Athena table (the Parquet export stores strings), so
  casts to JSON become a validity check (``TRY_CAST(x AS JSON)``: NULL when ``x`` is not JSON, as
  in DuckDB) or disappear, ``x -> '$.a[*]'`` (a list of JSON texts in DuckDB) becomes a parsed
  array, and ``json_exists``, ``json_valid`` and ``json_type`` (DuckDB's type names) are
  expressed with each engine's JSON functions;
- ``len(list)``: DuckDB's ``len`` takes strings and lists; Spark and Trino need ``size`` /
  ``cardinality`` for lists. A value is a list when it is built by a list function, is the
  ``resources`` column, or is a column named like an alias (anywhere in the query) whose value is
  a list; everything else is taken as a string;
- Trino's ``ROW`` has no field names: a struct value becomes ``CAST(ROW(...) AS ROW(name type, ...))``
  with leaf types read from the expression (text unless it says otherwise; every struct leaf of
  the CloudTrail schema is text);
- regular expressions: patterns written for RE2 are unrolled for backtracking engines
  (trailmask.sqlkit.backtracking).
"""

from __future__ import annotations

import re

from sqlglot import exp, jsonpath

from trailmask.sqlkit.backtracking import unroll_loops

# Columns of ``events`` whose value is a list.
LIST_COLUMNS = frozenset({"resources"})
_LIST_NODES: tuple[type[exp.Expr], ...] = (
    exp.Array,
    exp.ArrayAgg,
    exp.ArrayConcat,
    exp.ArrayDistinct,
    exp.ArrayFilter,
    exp.ArraySlice,
    exp.ArraySort,
    exp.RegexpExtractAll,
    exp.Split,
    exp.Transform,
)
_REGEXP_NODES: tuple[type[exp.Expr], ...] = (
    exp.RegexpLike,
    exp.RegexpILike,
    exp.RegexpExtract,
    exp.RegexpExtractAll,
    exp.RegexpReplace,
    exp.RegexpSplit,
)
_REDUCE_NAMES = frozenset({"list_reduce", "array_reduce", "reduce"})
_LIST_FUNCTIONS = frozenset({"from_json", "list_value", "list_distinct", "list_reverse", "list_slice"})


class NotPortable(ValueError):
    """The query uses something the target engine has no equivalent for."""


def _call(name: str, *args: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this=name, expressions=list(args))


def _lit(text: str) -> exp.Expr:
    return exp.Literal.string(text)


def _is_null(value: exp.Expr) -> exp.Expr:
    return exp.Is(this=value.copy(), expression=exp.null())


def _case(branches: list[tuple[exp.Expr, exp.Expr]], default: exp.Expr | None) -> exp.Expr:
    return exp.Case(ifs=[exp.If(this=c, true=v) for c, v in branches], default=default)


def _path(node: exp.Expr | None) -> str:
    """The text of a constant JSON path (``'$.a.b'``)."""
    if isinstance(node, exp.Literal) and node.is_string:
        return str(node.this)
    if isinstance(node, exp.JSONPath):
        return node.sql(dialect="duckdb").strip("'")
    raise NotPortable("a JSON path must be a constant string")


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _path_lit(path: str, dialect: str) -> exp.Expr:
    """A DuckDB JSON path (``$."x-amz-id".a[0]``) as the target's path literal: plain keys stay
    ``.key``; other keys become ``['key']`` (Spark) or ``["key"]`` (Trino), the bracket forms both
    document (Spark passes ``$."key"`` through as a key with the quotes in it)."""
    parts = ["$"]
    for segment in jsonpath.parse(path).expressions:
        if isinstance(segment, exp.JSONPathRoot):
            continue
        if isinstance(segment, exp.JSONPathKey) and isinstance(segment.this, str):
            key = segment.this
            if _PLAIN_KEY.fullmatch(key):
                parts.append(f".{key}")
            elif "'" in key or '"' in key or "\\" in key:
                raise NotPortable(f"JSON path {path!r}: a key with quotes or backslashes is not portable")
            else:
                parts.append(f"['{key}']" if dialect == "spark" else f'["{key}"]')
        elif isinstance(segment, exp.JSONPathSubscript) and isinstance(segment.this, int):
            parts.append(f"[{segment.this}]")
        elif isinstance(segment, exp.JSONPathSubscript) and isinstance(segment.this, exp.JSONPathWildcard):
            parts.append("[*]")
        else:
            raise NotPortable(f"JSON path {path!r}: only keys, indexes and a trailing [*] are portable")
    return _lit("".join(parts))


def _check_wildcards(path: str) -> None:
    body = path[: -len("[*]")] if path.endswith("[*]") else path
    if "*" in body:
        raise NotPortable(f"JSON path {path!r}: only a trailing [*] is portable")


# -- JSON ------------------------------------------------------------------------------------------


def _json_list(value: exp.Expr, base: str, dialect: str, *, scalar: bool) -> exp.Expr:
    """DuckDB ``value -> 'base[*]'``: the array at ``base`` as a list of JSON texts (``->>``: strings
    unquoted); an empty list when there is no array there, NULL only when ``value`` is NULL."""
    if dialect == "spark":
        text = _call("get_json_object", value, _path_lit(base, dialect))
        if scalar:
            items = _call("from_json", text, _lit("array<string>"))
        else:
            element = exp.to_identifier("tm_j")
            as_json = exp.Lambda(this=_call("to_json", exp.column(element)), expressions=[element])
            items = exp.Transform(this=_call("from_json", text, _lit("array<variant>")), expression=as_json)
    else:
        array_type = exp.DataType.build("ARRAY(VARCHAR)" if scalar else "ARRAY(JSON)", dialect="trino")
        items = exp.TryCast(this=_call("json_extract", value, _path_lit(base, dialect)), to=array_type)
        if not scalar:
            element = exp.to_identifier("tm_j")
            as_text = exp.Lambda(this=_call("json_format", exp.column(element)), expressions=[element])
            items = exp.Transform(this=items, expression=as_text)
    empty = exp.Array(expressions=[])
    return _case([(_is_null(value), exp.null())], exp.Coalesce(this=items, expressions=[empty]))


def _json_extract(node: exp.JSONExtract | exp.JSONExtractScalar, dialect: str) -> exp.Expr:
    """``->`` (JSON) and ``->>`` (text). Spark's get_json_object gives text for both."""
    path = _path(node.expression)
    _check_wildcards(path)
    value = node.this
    if path.endswith("[*]"):
        return _json_list(value, path[: -len("[*]")], dialect, scalar=isinstance(node, exp.JSONExtractScalar))
    if dialect == "spark":
        return _call("get_json_object", value, _path_lit(path, dialect))
    as_json = _call("json_format", _call("json_extract", value.copy(), _path_lit(path, dialect)))
    if isinstance(node, exp.JSONExtract):
        return as_json
    # DuckDB ->> gives objects and arrays as JSON text too; json_extract_scalar gives NULL for them.
    return exp.Coalesce(this=_call("json_extract_scalar", value, _path_lit(path, dialect)), expressions=[as_json])


def _json_valid(value: exp.Expr, dialect: str) -> exp.Expr:
    parsed = _call("try_parse_json", value) if dialect == "spark" else _call("try", _call("json_parse", value))
    return _case([(_is_null(value), exp.null())], exp.not_(_is_null(parsed)))


def _json_exists(value: exp.Expr, path: str, dialect: str) -> exp.Expr:
    found = _call("get_json_object" if dialect == "spark" else "json_extract", value, _path_lit(path, dialect))
    return _case([(_is_null(value), exp.null())], exp.not_(_is_null(found)))


_SPARK_TYPES = (
    ("OBJECT%", "OBJECT"),
    ("ARRAY%", "ARRAY"),
    ("STRING", "VARCHAR"),
    ("BOOLEAN", "BOOLEAN"),
    ("VOID", "NULL"),
    ("DECIMAL%", "DOUBLE"),
    ("DOUBLE", "DOUBLE"),
    ("FLOAT", "DOUBLE"),
)


def _json_type(value: exp.Expr, path: str, dialect: str) -> exp.Expr:
    """DuckDB's names: OBJECT, ARRAY, VARCHAR, BOOLEAN, NULL, DOUBLE, BIGINT (< 0), UBIGINT."""
    if dialect == "spark":
        variant = _call("variant_get", _call("try_parse_json", value), _path_lit(path, dialect))
        kind = _call("schema_of_variant", variant)
        text = _call("get_json_object", value.copy(), _path_lit(path, dialect))
        branches: list[tuple[exp.Expr, exp.Expr]] = [
            (exp.Like(this=kind.copy(), expression=_lit(p)), _lit(n)) for p, n in _SPARK_TYPES
        ]
    else:
        text = _call("json_format", _call("json_extract", value, _path_lit(path, dialect)))
        kind = exp.Substring(this=text, start=exp.Literal.number(1), length=exp.Literal.number(1))
        firsts = (("{", "OBJECT"), ("[", "ARRAY"), ('"', "VARCHAR"), ("n", "NULL"), ("t", "BOOLEAN"), ("f", "BOOLEAN"))
        branches = [(exp.EQ(this=kind.copy(), expression=_lit(c)), _lit(n)) for c, n in firsts]
        branches.append((exp.not_(exp.RegexpLike(this=text.copy(), expression=_lit("^-?[0-9]+$"))), _lit("DOUBLE")))
    integer = _case([(exp.Like(this=text.copy(), expression=_lit("-%")), _lit("BIGINT"))], _lit("UBIGINT"))
    return _case([(_is_null(kind), exp.null()), *branches], integer)


def _is_json_type(to: exp.Expr | None) -> bool:
    return isinstance(to, exp.DataType) and to.is_type(exp.DataType.Type.JSON)


def _json_cast(node: exp.Cast, dialect: str) -> exp.Expr:
    """Casts to JSON: JSON is text here. TRY_CAST keeps only valid JSON (NULL otherwise)."""
    text = exp.Cast(this=node.this, to=exp.DataType.build("VARCHAR"))
    if isinstance(node.this, exp.Null) or not isinstance(node, exp.TryCast):
        return text
    return _case(
        [(_json_valid(node.this.copy(), dialect), node.this.copy())],
        exp.Cast(this=exp.null(), to=exp.DataType.build("VARCHAR")),
    )


def _anonymous(node: exp.Anonymous, dialect: str) -> exp.Expr:
    name = str(node.this).lower()
    args = node.expressions
    if name == "json_valid" and len(args) == 1:
        return _json_valid(args[0], dialect)
    if name == "json_exists" and len(args) == 2:
        return _json_exists(args[0], _path(args[1]), dialect)
    if name in _REDUCE_NAMES and len(args) == 3 and isinstance(args[1], exp.Lambda):
        return exp.Reduce(this=args[0], initial=args[2], merge=args[1])  # DuckDB: (list, lambda, initial)
    if name in _REDUCE_NAMES:
        raise NotPortable(f"{name}() without an initial value")
    return node


def _backtracking_safe(node: exp.Expr) -> exp.Expr:
    pattern = node.args.get("expression")
    if isinstance(pattern, exp.Literal) and pattern.is_string:
        node.set("expression", exp.Literal.string(unroll_loops(str(pattern.this))))
    return node


# -- lists ------------------------------------------------------------------------------------------


def _list_aliases(tree: exp.Expr) -> set[str]:
    """Lower-case names of aliases (anywhere in ``tree``) whose value is a list, to a fixpoint."""
    names = set(LIST_COLUMNS)
    aliases = [(a.alias.lower(), a.this) for a in tree.find_all(exp.Alias) if a.alias]
    changed = True
    while changed:
        changed = False
        for name, value in aliases:
            if name not in names and _is_list(value, names):
                names.add(name)
                changed = True
    return names


def _is_list(node: exp.Expr, names: set[str]) -> bool:
    if isinstance(node, _LIST_NODES):
        return True
    if isinstance(node, exp.JSONExtract | exp.JSONExtractScalar):
        return _path(node.expression).endswith("[*]")
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower() in _LIST_FUNCTIONS
    if isinstance(node, exp.Coalesce | exp.Paren | exp.Filter | exp.Window):
        return _is_list(node.this, names)
    if isinstance(node, exp.Case):
        values = [i.args.get("true") for i in node.args.get("ifs") or []] + [node.args.get("default")]
        return any(isinstance(v, exp.Expr) and _is_list(v, names) for v in values)
    return isinstance(node, exp.Column) and node.name.lower() in names


def _integer(node: exp.Expr) -> int | None:
    """The value of an integer literal (``3``, ``-2``), else None."""
    if isinstance(node, exp.Neg):
        inner = _integer(node.this)
        return None if inner is None else -inner
    if isinstance(node, exp.Literal) and not node.is_string and str(node.this).lstrip("-").isdigit():
        return int(str(node.this))
    return None


def _size(value: exp.Expr, dialect: str) -> exp.Expr:
    return _call("size" if dialect == "spark" else "cardinality", value)


def _subscript(node: exp.Bracket, dialect: str) -> exp.Expr:
    """List subscripts and slices, 1-based as DuckDB writes them (sqlglot stores ``x[i]`` as ``i - 1``).

    ``x[i]`` becomes ``try_element_at`` (Spark) / ``element_at`` (Trino): NULL out of range,
    negative from the end, as in DuckDB. ``x[a:b]`` (inclusive) becomes ``slice(x, a, b - a + 1)``.
    """
    index = node.expressions[0]
    if isinstance(index, exp.Slice):
        start, stop = index.args.get("this"), index.args.get("expression")
        first = 1 if start is None else _integer(start)
        last = None if stop is None else _integer(stop)
        if first is None or first < 0 or (stop is not None and (last is None or last < 0)):
            raise NotPortable("list slices need non-negative constant bounds")
        first = max(first, 1)
        length = _size(node.this.copy(), dialect) if last is None else exp.Literal.number(max(last - first + 1, 0))
        return _call("slice", node.this, exp.Literal.number(first), length)
    position = _integer(index)
    if position is None:
        return node  # a computed subscript, a map key or a struct field: sqlglot's own transpilation
    return _call("try_element_at" if dialect == "spark" else "element_at", node.this, exp.Literal.number(position + 1))


def _group_by_ordinals(node: exp.Group) -> exp.Expr:
    """``GROUP BY ALL`` (DuckDB, Spark) as ``GROUP BY 1, 3`` for Trino: every projection that is
    not an aggregate."""
    select = node.parent
    if not isinstance(select, exp.Select):
        raise NotPortable("GROUP BY ALL outside a SELECT")
    positions = [
        exp.Literal.number(index)
        for index, projection in enumerate(select.expressions, 1)
        if not any(isinstance(n, exp.AggFunc) and not n.find_ancestor(exp.Window) for n in projection.walk())
    ]
    if not positions:  # only aggregates: one group, as without GROUP BY
        select.set("group", None)
        return node
    return exp.Group(expressions=positions)


# -- Trino structs ----------------------------------------------------------------------------------


def _trino_type(value: exp.Expr) -> exp.DataType:
    """The Trino type of a struct field's value (text unless the expression says otherwise)."""
    if isinstance(value, exp.Struct):
        return _row_type(value)
    if isinstance(value, exp.Case):
        for candidate in [*(i.args.get("true") for i in value.args.get("ifs") or []), value.args.get("default")]:
            if isinstance(candidate, exp.Expr) and not isinstance(candidate, exp.Null):
                return _trino_type(candidate)
    if isinstance(value, exp.Cast) and isinstance(value.to, exp.DataType) and not _is_json_type(value.to):
        return value.to.copy()
    if isinstance(value, exp.Transform) and isinstance(value.expression, exp.Lambda):
        element = _trino_type(value.expression.this)
        return exp.DataType(this=exp.DataType.Type.ARRAY, expressions=[element], nested=True)
    if isinstance(value, exp.Boolean):
        return exp.DataType.build("BOOLEAN")
    return exp.DataType.build("VARCHAR")


def _row_type(node: exp.Struct) -> exp.DataType:
    fields = []
    for item in node.expressions:
        if not isinstance(item, exp.PropertyEQ | exp.Alias):
            raise NotPortable("a struct value without field names cannot be typed for Athena")
        name = item.this.name if isinstance(item, exp.PropertyEQ) else item.alias
        value = item.expression if isinstance(item, exp.PropertyEQ) else item.this
        fields.append(exp.ColumnDef(this=exp.to_identifier(name, quoted=True), kind=_trino_type(value)))
    return exp.DataType(this=exp.DataType.Type.STRUCT, expressions=fields, nested=True)


def _trino_struct(node: exp.Struct) -> exp.Expr:
    values = [item.expression if isinstance(item, exp.PropertyEQ) else item.this for item in node.expressions]
    row_type = _row_type(node)
    return exp.Cast(this=_call("ROW", *values), to=row_type)


# -- the rewrite -------------------------------------------------------------------------------------


def _days(count: exp.Expr) -> exp.Expr:
    """DuckDB's ``to_days(n)``: neither Spark nor Trino has it; both multiply a one-day interval."""
    one_day = exp.Interval(this=exp.Literal.string("1"), unit=exp.var("DAY"))
    return exp.Paren(this=exp.Mul(this=one_day, expression=exp.Paren(this=count)))


def rewrite_functions(tree: exp.Expr, dialect: str) -> exp.Expr:
    """Step 3 of trailmask.sqlkit.dialects for ``dialect`` (spark or athena)."""
    lists = _list_aliases(tree)

    def fix(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.JSONExtract | exp.JSONExtractScalar):
            return _json_extract(node, dialect)
        if isinstance(node, exp.JSONType):
            path = _path(node.expression) if node.expression is not None else "$"
            return _json_type(node.this, path, dialect)
        if isinstance(node, exp.Cast) and _is_json_type(node.to):
            return _json_cast(node, dialect)
        if isinstance(node, exp.DataType) and _is_json_type(node) and not isinstance(node.parent, exp.Cast):
            return exp.DataType.build("VARCHAR")
        if isinstance(node, exp.Anonymous):
            return _anonymous(node, dialect)
        if isinstance(node, exp.ToDays):
            return _days(node.this)
        if isinstance(node, exp.Length) and _is_list(node.this, lists):
            return exp.ArraySize(this=node.this)
        if isinstance(node, _REGEXP_NODES):
            return _backtracking_safe(node)
        if isinstance(node, exp.Bracket) and len(node.expressions) == 1:
            return _subscript(node, dialect)
        if dialect == "athena" and isinstance(node, exp.Group) and node.args.get("all"):
            return _group_by_ordinals(node)
        if isinstance(node, exp.CTE) and node.args.get("materialized") is not None:
            node.set("materialized", None)  # DuckDB's (NOT) MATERIALIZED hint: a planner hint only
        return node

    struct_fix = dialect == "athena"
    for node in reversed(list(tree.walk())):  # children before parents: rewrites compose
        new = fix(node)
        if struct_fix and isinstance(new, exp.Struct):
            new = _trino_struct(new)
        if new is not node:
            if node is tree:
                tree = new
            else:
                node.replace(new)
    return tree
