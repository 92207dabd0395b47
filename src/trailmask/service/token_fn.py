"""``token(kind, 'raw value')`` in SQL: the role's view of a raw indicator, computed by the server.

``WHERE userIdentity.arn = token('arn', 'arn:aws:iam::111122223333:user/alice')`` lets a masked
role search by a value from a ticket or a threat feed. Each call is lifted into a parameter
``$tm_token_N`` (sqlkit.token_fn), so the raw value is in no SQL that is printed (``explain``
shows the parameter's name, the audit's SQL shape a ``?``). ``run_query`` calls
:func:`resolve_token_calls` before the query is prepared: it lifts the calls and gives each
parameter its value, exactly as a typed runbook parameter is converted (service.indicators,
service.indicator_view):

- ``kind`` is one of :data:`KINDS`; the value is validated as a runbook value of that type, the
  same for every role (a masked role may also pass a value in its masked form: used as given);
- a raw role (or an approved unmasked run) compares raw values: the value is bound as it is;
- a masked role needs the permission ``indicator``; a field it sees redacted cannot be matched
  (UsageError); each converted value counts against the identity's hourly budget;
- each converted value counts against the identity's hourly budget once per pseudonym it holds
  (an ARN with K names counts K: indicator_view.disclosed);
- the lookup is audited as action ``indicator`` (source ``sql``, kinds, fields, the number of
  values; never a value), allowed, denied and failed alike;
- the result's notices say what each call matched as (the masked view, never the raw value).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from trailmask.errors import UsageError
from trailmask.models import Actor, QueryRequest
from trailmask.runbooks.model import Parameter
from trailmask.runbooks.params import TYPES, indicator_field, is_masked_form
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
from trailmask.sqlkit.token_fn import lift_token_calls

KINDS = ("ip", "principal", "arn", "account_id", "access_key_id")
_HINT = f"token(kind, value) with kind one of {', '.join(KINDS)}, e.g. token('ip', '203.0.113.10')"


def _checked(kind: str, value: str, masked: bool) -> str:
    """The value as validated for ``kind`` (UsageError naming the kind, never quoting the value)."""
    if kind not in KINDS:
        raise UsageError(f"token(): unknown kind {kind[:40]!r}", hint=_HINT)
    text = value.strip()
    try:
        return str(TYPES[kind](Parameter(name="token", type=kind, description=""), text))
    except ValueError as exc:
        if masked and is_masked_form(text) and len(text) <= 1024 and text.isprintable():
            return text  # already the role's view (a token, 203.0.113.xxx)
        raise UsageError(f"token('{kind}', …): the value {exc}", hint=_HINT) from None


def resolve_token_calls(ctx: AppContext, actor: Actor, request: QueryRequest) -> tuple[QueryRequest, list[str]]:
    """``request`` with its token() calls lifted and valued as ``actor``'s role sees them, and the
    notices saying what each matched as (see above). A request without calls is returned as is."""
    lifted = lift_token_calls(request.sql)
    if not lifted.calls or actor.role not in ctx.policy.roles:  # an unknown role: prepare says so
        return request, []
    raw = request.unmasked or ctx.policy.role(actor.role).raw
    kinds = sorted({call.kind for call in lifted.calls})
    with audited(ctx, actor, "indicator", source="sql", kinds=kinds) as audit:
        calls = {c.parameter: (c.kind, _checked(c.kind, c.value, not raw)) for c in lifted.calls}
        values: dict[str, Any] = {name: value for name, (_, value) in calls.items()}
        wanted = {} if raw else _wanted(ctx, actor.role, calls)
        audit.details["fields"] = sorted(set(wanted.values()))
        if wanted:
            require_permission(ctx, actor, "compare with the value as your role's results show it")
            hidden = sorted(path for path in wanted.values() if operator_of(ctx, actor.role, path).name in HIDING)
            if hidden:
                raise UsageError(
                    f"token(): your role sees {hidden[0]} redacted, so a raw value cannot be matched",
                    hint="ask someone whose role sees the field",
                )
            count_lookups(ctx, actor, len(wanted))
        views = {name: convert(ctx, actor.role, path, calls[name][1]) for name, path in wanted.items()}
        extra = sum(disclosed(view) - 1 for view in views.values())
        if extra:  # an ARN converted tells each of its names' tokens: each counts (indicator_view)
            count_lookups(ctx, actor, extra)
        notices: list[str] = []
        for name, path in wanted.items():
            kind, value = calls[name]
            view = views[name]
            if view is None:
                raise UsageError(f"token('{kind}', …): your role's view of this value is empty")
            values[name] = view
            operator = operator_of(ctx, actor.role, path)
            notices.append(f"token('{kind}', …) matched as {view}: your role sees {seen_as(operator, value)}")
        audit.details["values"] = len(wanted)
        audit.details["lookups"] = len(wanted) + extra  # what the budget counted
    return replace(request, sql=lifted.sql, params={**request.params, **values}), notices


def _wanted(ctx: AppContext, role: str, calls: dict[str, tuple[str, str]]) -> dict[str, str]:
    """parameter -> events field, for each raw value (not already masked) that ``role`` sees masked."""
    wanted = {}
    for name, (kind, value) in calls.items():
        path = indicator_field(kind, value)
        if path is not None and operator_of(ctx, role, path).name != "keep":
            wanted[name] = path
    return wanted
