"""What ad-hoc SQL may contain: an allowlist of syntax nodes and of functions.

Everything not listed here is rejected, so a function or statement an engine adds tomorrow
(a new table function that reads files, lists the catalog or runs a SQL string) is refused until
someone reviews it and adds it. Functions are listed by the sqlglot node a DuckDB call parses into
(``lower(x)`` → ``Lower``) or, for functions sqlglot does not model, by their lower-case name.

Every function here computes a value from its arguments only: no I/O, no catalog, no settings,
no SQL execution, no session state. Hash and string functions are safe because they only ever
see masked values (the masked relation is computed before any user expression).
"""

from __future__ import annotations

from sqlglot import exp

# Syntax: the shapes of one SELECT query (CTEs, subqueries, set operations, windows, lambdas).
_NODE_NAMES = """
Select Union Intersect Except Subquery With CTE TableAlias From Join Where Group Having Qualify
Order Ordered Limit Offset Fetch Distinct Column Identifier Star Literal Boolean Null Alias Paren
Table Tuple PropertyEQ Kwarg Slice Bracket Dot Cast DataType DataTypeParam ColumnDef Interval Var
Window WindowSpec Lambda Placeholder Unnest Values Exists Any All In Between Is Like ILike
SimilarTo Not Neg BitwiseNot Escape Filter IgnoreNulls RespectNulls Collate Cube Rollup
GroupingSets Columns HexString BitString ByteString RawString National Unicode JSONPath
"""

# Scalar functions (sqlglot node names).
_SCALAR_FUNCTIONS = """
Abs Ceil Floor Round Sign Sqrt Cbrt Exp Ln Log Pow Mod Greatest Least Trunc Factorial Pi Rand IsNan IsInf
Lower Upper Length BitLength Substring Left Right Reverse Trim Pad Replace Translate Concat ConcatWs
Contains StartsWith EndsWith StrPosition SplitPart Split RegexpSplit RegexpLike RegexpFullMatch RegexpILike
RegexpReplace RegexpExtract RegexpExtractAll Repeat Format MD5 SHA SHA2 ToBase64 FromBase64 Hex LowerHex Unhex
Ascii Chr Unicode Levenshtein JarowinklerSimilarity Initcap Encode Decode
Array ArraySize ArrayContains ArrayPosition ArraySlice ArrayConcat ArrayAppend ArrayPrepend ArrayDistinct
ArraySort Transform ArrayFilter Reduce ArrayMin ArrayMax ArrayOverlaps Flatten Explode GenerateSeries
ArrayToString ArrayContainsAll ArrayFirst ArrayLast ArrayUniqueAgg
Struct StructExtract Map ToMap MapKeys VarMap
TimestampTrunc DateTrunc Extract TimeToUnix UnixToTime DateDiff DateAdd DateSub TimestampDiff
TimestampAdd TimestampSub TimeToStr StrToTime StrToDate DateFromParts Year Month Day Hour Minute
Second Week DayOfWeek DayOfWeekIso DayOfYear DayOfMonth Quarter CurrentDate CurrentTimestamp
CurrentTime DateBin LastDay Monthname Dayname ToDays TsOrDsToDate TsOrDsAdd TimeStrToTime
TimeStrToUnix Date Timestamp
Coalesce Nullif If Case Typeof Cast TryCast CastToStrType
JSONExtract JSONExtractScalar JSONType JSONKeys JSONObject JSONArray ParseJSON FromJson JSONFormat
JSONExists JSONArrayContains JSONBExtract
"""

# Aggregate and window functions (sqlglot node names).
_AGGREGATE_FUNCTIONS = """
Count Sum Min Max Avg Median Mode GroupConcat ArrayAgg First Last AnyValue ArgMin ArgMax
ApproxDistinct ApproxQuantile Quantile PercentileCont PercentileDisc Stddev StddevSamp StddevPop
Variance VariancePop LogicalAnd LogicalOr CountIf BitwiseAndAgg BitwiseOrAgg BitwiseXorAgg Corr
CovarPop CovarSamp Kurtosis Skewness FirstValue LastValue RowNumber Rank DenseRank PercentRank
CumeDist Ntile Lag Lead NthValue
"""

# DuckDB functions sqlglot leaves as anonymous calls (lower-case names).
ANONYMOUS_FUNCTIONS = frozenset(
    """
even gcd lcm bit_count isfinite strlen octet_length substring_grapheme prefix suffix
regexp_split_to_array regexp_escape printf hash base64 bin ord nfc_normalize strip_accents
damerau_levenshtein hamming jaccard jaro_similarity mismatches list_length list_pack
list_position list_indexof list_extract array_extract list_element list_slice list_cat list_unique
list_reverse array_transform list_apply list_reduce array_reduce list_sum list_count list_string_agg
list_has_all list_zip list_to_string list_select list_where list_grade_up struct_insert row
struct_concat map_values map_extract element_at cardinality date_part datepart age now
try_strptime to_hours to_minutes to_seconds to_milliseconds iff json_value json_exists
json_array_length json_valid json_structure json_contains json_quote to_json json_merge_patch
json_group_array json_group_object json_transform json_transform_strict from_json_strict
mean histogram entropy product list_value list_filter list_transform array_length
string_split string_split_regex str_split list_contains list_has list_concat array_cat
list_sort list_reverse_sort array_reverse_sort list_distinct list_min list_max list_has_any
array_to_string make_timestamp epoch_ms epoch to_timestamp strftime strptime
""".split()  # noqa: SIM905 (a word list is easier to review than a list literal)
)


def _classes(names: str) -> frozenset[type[exp.Expr]]:
    found = set()
    for name in names.split():
        node = getattr(exp, name, None)
        if isinstance(node, type) and issubclass(node, exp.Expr):
            found.add(node)
    return frozenset(found)


NODES = _classes(_NODE_NAMES)
FUNCTIONS = _classes(_SCALAR_FUNCTIONS + _AGGREGATE_FUNCTIONS)


def function_name(node: exp.Func) -> str:
    """The name a user wrote (or sqlglot's name for the node), for messages."""
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower()
    return node.sql_name().lower()


def allowed(node: exp.Expr) -> bool:
    """Listed syntax nodes and functions, anonymous calls by name, and pure operators."""
    if type(node) in NODES or type(node) in FUNCTIONS:
        return True
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower() in ANONYMOUS_FUNCTIONS
    return isinstance(node, exp.Binary | exp.JSONPathPart)
