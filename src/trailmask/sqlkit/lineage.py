"""Where each output column of a checked query comes from: the ``events`` paths it reads.

Used to tell a client, per result column, whether (and how) its values are masked (the role's
operators of those paths; see trailmask.masking.columns). Resolution follows CTEs, subqueries in
FROM and ``*``; anything it cannot follow (a scalar subquery, a lateral alias, a set operation with
differing sides) is ``None``: unknown, which a client must treat as "may be masked". This is a
description of the result, never a guard: masking is applied by the compiled relation.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from trailmask.sqlkit.sandbox import RELATION, CheckedQuery


@dataclass(frozen=True)
class Lineage:
    """One output column: the dotted, lower-case ``events`` paths it reads (None: unknown), and
    ``direct``: its value is one of those paths' values as stored or masked (no function applied)."""

    name: str
    paths: frozenset[str] | None
    direct: bool


_Source = exp.Expr | None  # a SELECT (CTE or subquery) or None for ``events`` itself
_UNKNOWN = (None, False)
_PASS_THROUGH = (exp.Min, exp.Max, exp.AnyValue, exp.First, exp.Last)


def _dotted(node: exp.Expr) -> list[str] | None:
    if isinstance(node, exp.Column):
        return [part.name.lower() for part in node.parts]
    if isinstance(node, exp.Dot) and isinstance(node.expression, exp.Identifier):
        head = _dotted(node.this)
        return None if head is None else [*head, node.expression.name.lower()]
    return None


class _Resolver:
    def __init__(self, tree: exp.Expr) -> None:
        self.ctes: dict[str, exp.Expr] = {}
        for cte in tree.find_all(exp.CTE):
            self.ctes[cte.alias_or_name.lower()] = cte.this

    def sources(self, select: exp.Select) -> dict[str, _Source]:
        """The FROM/JOIN relations of ``select`` by alias (``events`` -> None)."""
        found: dict[str, _Source] = {}
        relations = [select.args.get("from_") or select.args.get("from")]
        relations += [join for join in select.args.get("joins") or []]
        for relation in relations:
            node = relation.this if relation is not None else None
            if isinstance(node, exp.Table):
                name = node.name.lower()
                target: _Source = None if name == RELATION and name not in self.ctes else self.ctes.get(name)
                if target is None and name != RELATION:
                    continue
                found[(node.alias or node.name).lower()] = target
            elif isinstance(node, exp.Subquery):
                found[node.alias_or_name.lower()] = node.this
        return found

    def column(self, select: exp.Expr, name: str) -> tuple[frozenset[str] | None, bool]:
        """The paths (and directness) of output column ``name`` of ``select``."""
        if isinstance(select, exp.Union):
            left, right = self.column(select.left, name), self.column(select.right, name)
            if left[0] is None or right[0] is None:
                return _UNKNOWN
            return left[0] | right[0], left[1] and right[1]
        if not isinstance(select, exp.Select):
            return _UNKNOWN
        for projection in select.expressions:
            if isinstance(projection, exp.Star):
                continue
            if projection.alias_or_name.lower() == name:
                return self.expression(projection, select)
        if any(isinstance(p, exp.Star) for p in select.expressions):
            sources = self.sources(select)
            if len(sources) == 1:
                return self.reference([name], select, sources)
        return _UNKNOWN

    def reference(
        self, parts: list[str], select: exp.Select, sources: dict[str, _Source]
    ) -> tuple[frozenset[str] | None, bool]:
        if len(parts) > 1 and parts[0] in sources:
            source, parts = sources[parts[0]], parts[1:]
        elif len(sources) == 1:
            source = next(iter(sources.values()))
        else:
            return _UNKNOWN
        if source is None:
            return frozenset({".".join(parts)}), True
        paths, direct = self.column(source, parts[0])
        if paths is None:
            return _UNKNOWN
        if len(parts) > 1 and direct and len(paths) == 1:
            return frozenset({f"{next(iter(paths))}.{'.'.join(parts[1:])}"}), True
        return paths, direct and len(parts) == 1

    def expression(self, node: exp.Expr, select: exp.Select) -> tuple[frozenset[str] | None, bool]:
        inner = node.this if isinstance(node, exp.Alias) else node
        sources = self.sources(select)
        if isinstance(inner, _PASS_THROUGH) and isinstance(inner.this, exp.Column | exp.Dot):
            passed, _ = self.expression(inner.this, select)
            return passed, passed is not None
        parts = _dotted(inner)
        if parts is not None:
            return self.reference(parts, select, sources)
        if any(isinstance(sub, exp.Subquery | exp.Select) for sub in inner.find_all(exp.Subquery, exp.Select)):
            return _UNKNOWN
        read: set[str] = set()
        for column in inner.find_all(exp.Column):
            if isinstance(column.parent, exp.Dot) and column.parent.this is column:
                continue  # the outermost Dot of a chain is resolved below
            found, _ = self.reference(_dotted(column) or [], select, sources)
            if found is None:
                return _UNKNOWN
            read |= found
        for dot in inner.find_all(exp.Dot):
            if isinstance(dot.parent, exp.Dot):
                continue
            chain = _dotted(dot)
            if chain is None:
                return _UNKNOWN
            found, _ = self.reference(chain, select, sources)
            if found is None:
                return _UNKNOWN
            read |= found
        return frozenset(read), False


def output_lineage(checked: CheckedQuery, columns: list[str]) -> list[Lineage]:
    """The lineage of each of ``columns`` (the result's column names, in order)."""
    resolver = _Resolver(checked.tree)
    answer = []
    for name in columns:
        try:
            paths, direct = resolver.column(checked.tree, name.lower())
        except (AttributeError, KeyError, StopIteration):  # shapes the resolver does not follow
            paths, direct = None, False
        answer.append(Lineage(name=name, paths=paths, direct=direct and paths is not None))
    return answer
