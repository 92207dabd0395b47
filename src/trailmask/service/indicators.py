"""Indicator search as a masked role: a raw runbook value converted to the role's view before the run.

A masked role compares masked values: ``sourceIPAddress = '203.0.113.10'`` never matches a column
the role sees as ``203.0.113.xxx``. So a raw value of an identity type (``ip``, ``principal``,
``arn``, ``account_id``, ``access_key_id``; runbooks.params) is converted here, by trusted code:
the role's own compiled masking expression of the matching events field
(masking.compiler.masked_value_query) is evaluated on the bound value in a keyed session of the
query engine, so the value bound to the query is exactly what the masked view shows for it. A
value already in the role's masked form (a token, ``203.0.113.xxx``) is used as given.

A conversion is an indicator lookup (service.indicator_view, shared with ``token()`` in SQL):

- it needs the permission ``indicator`` (the default investigator has it, the viewer not:
  every identity class is redacted for the viewer, docs/runbooks.md);
- it is rate-limited per identity (``indicator_view.PER_HOUR`` values an hour, one budget for
  runbook parameters and SQL; a value counts once per pseudonym its view holds);
- it is audited (action ``indicator``: runbook, parameter, type and field, never the raw value);
- the result says what was matched (``QueryResult.notices``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from trailmask.errors import UsageError
from trailmask.models import Actor
from trailmask.runbooks.model import Runbook
from trailmask.runbooks.params import indicator_field
from trailmask.service.audited import audited
from trailmask.service.context import AppContext
from trailmask.service.indicator_view import (
    HIDING,
    convert,
    count_lookups,
    disclosed,
    operator_of,
    require_permission,
    seen_as,
)


@dataclass
class Mapped:
    """The values to bind (raw indicators replaced by the role's view) and what to tell the caller."""

    params: dict[str, Any]
    notices: list[str] = field(default_factory=list)


def _wanted(ctx: AppContext, runbook: Runbook, role: str, params: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(parameter, type, field) of every supplied raw identity value the role sees masked."""
    wanted = []
    for param in runbook.parameters:
        kind = param.items if param.type == "list" else param.type
        value = params.get(param.name)
        if kind is None or value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            path = indicator_field(kind, str(item))
            if path is not None and operator_of(ctx, role, path).name != "keep":
                wanted.append((param.name, kind, path))
                break
    return wanted


def map_indicators(ctx: AppContext, actor: Actor, runbook: Runbook, params: dict[str, Any]) -> Mapped:
    """Replace each raw identity value the role sees masked by the role's view of it (see above)."""
    wanted = _wanted(ctx, runbook, actor.role, params)
    if not wanted:
        return Mapped(params=params)
    names = [name for name, _, _ in wanted]
    fields = sorted({path for _, _, path in wanted})
    with audited(ctx, actor, "indicator", runbook=runbook.id, parameters=names, fields=fields) as audit:
        require_permission(
            ctx, actor, "pass the value as your role's results show it, or ask for a role with 'indicator'"
        )
        hidden = [(name, path) for name, _, path in wanted if operator_of(ctx, actor.role, path).name in HIDING]
        if hidden:
            raise UsageError(
                f"parameter '{hidden[0][0]}': your role sees {hidden[0][1]} redacted, so a raw value cannot be matched",
                hint="ask someone whose role sees the field",
            )
        raw = [(name, kind, item) for name, kind, _ in wanted for item in _items(params[name])]
        raw = [(name, kind, item) for name, kind, item in raw if indicator_field(kind, item) is not None]
        count_lookups(ctx, actor, len(raw))
        mapped = dict(params)
        notices: list[str] = []
        converted_views: list[str] = []
        for name, kind, _ in wanted:
            converted = [
                _view(ctx, actor.role, name, kind, item, notices, converted_views) for item in _items(params[name])
            ]
            mapped[name] = converted if isinstance(params[name], list) else converted[0]
        extra = sum(disclosed(view) - 1 for view in converted_views)
        if extra:  # an ARN converted tells each of its names' tokens: each counts (indicator_view)
            count_lookups(ctx, actor, extra)
        audit.details["values"] = len(raw)
        audit.details["lookups"] = len(raw) + extra  # what the budget counted
    return Mapped(params=mapped, notices=notices)


def _view(ctx: AppContext, role: str, name: str, kind: str, item: str, notices: list[str], views: list[str]) -> str:
    """``item`` as the role sees it (unchanged when already in a masked form), noting the match
    (in ``notices``) and the converted value (in ``views``, for the budget)."""
    path = indicator_field(kind, item)
    if path is None:
        return item
    view = convert(ctx, role, path, item)
    if view is None:
        raise UsageError(f"parameter '{name}': your role's view of this value is empty")
    views.append(view)
    notices.append(f"{name} matched as {view}: your role sees {seen_as(operator_of(ctx, role, path), item)}")
    return view


def _items(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]
