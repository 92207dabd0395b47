"""Turn a request's SQL into the SQL that runs: sandbox check, then the role's masked relation.

1. sqlkit.sandbox.check_query: exactly one SELECT over ``events`` (and its own CTEs), allowlisted
   functions only, named parameters only; anything else is QueryRejected.
2. The role's relation (masking.compiler.compile_relation, cached per role, column set and top-N
   window) replaces every ``events`` reference. Raw roles (and approved unmasked runs) read the
   stored columns. Filters on columns seen as stored narrow the raw rows first (and a top-N query
   masks only the rows it can return), so excluded rows are never masked.
3. Parameters stay ``$name`` placeholders, bound by the engine; only those the SQL uses are passed.
4. The masking key travels in the session's temporary table ``tm_mask_key`` (never in the text),
   so the SQL returned here is also what ``explain`` prints.
5. ``--engine spark`` over a masked role's own dataset (``export --as ROLE``): ``events`` is the
   dataset as it is (masked already, no key), for that role under the policy it was masked with;
   every other role, an unmasked run and a changed policy are refused (:func:`_masked_dataset`).
"""

from __future__ import annotations

from typing import Any

from trailmask.errors import ConfigError, PermissionDenied, QueryRejected, TrailmaskError, UsageError
from trailmask.masking.compiler import KEY_COLUMN, KEY_TABLE, compile_relation, pass_through_columns
from trailmask.masking.grouping import grouping_notices
from trailmask.masking.model import Policy
from trailmask.models import PreparedQuery
from trailmask.service.context import AppContext
from trailmask.sqlkit import expr as sx
from trailmask.sqlkit.grouping import grouped_paths
from trailmask.sqlkit.render import RenderedRelation, render_relation
from trailmask.sqlkit.rewrite import ColumnUse, RawWindow, bind_relation_sql, raw_windows, referenced_columns
from trailmask.sqlkit.sandbox import CheckedQuery, check_query
from trailmask.sqlkit.token_fn import lift_token_calls

_CACHE_SIZE = 512

__all__ = ["prepare", "prepare_for_projection", "profile_name"]


def _relation_sql(
    ctx: AppContext, policy: Policy, role: str, raw: bool, columns: ColumnUse | None, window: RawWindow | None
) -> RenderedRelation:
    cache = ctx.relations
    window_key = None if window is None else (str(window.where), str(window.order), window.limit)
    key = (policy.digest, role, raw, columns, window_key)
    if key not in cache:
        if len(cache) > _CACHE_SIZE:
            cache.clear()
        relation = compile_relation(policy, role, raw=raw, columns=columns, window=window)
        cache[key] = render_relation(relation)
    return cache[key]


def profile_name(policy: Policy, role: str, raw: bool) -> str:
    """The masking profile recorded with each query: ``raw`` or ``masked:<role>@<policy digest>``."""
    return "raw" if raw else f"masked:{role}@{policy.digest[:12]}"


def prepare(
    ctx: AppContext, role: str, sql: str, params: dict[str, Any], *, unmasked: bool = False, _projection: bool = False
) -> PreparedQuery:
    """The SQL that runs for ``role`` (see the module docstring).

    Any error of the SQL toolkit that is not already a trailmask error (sqlglot cannot parse,
    transform or print a construct) is a QueryRejected naming the error's class only, never a 500.
    """
    try:
        lifted = lift_token_calls(sql)  # token(kind, value) -> $tm_token_N (a run values them: service.token_fn)
        return _prepare(
            ctx, role, lifted.sql, {**params, **lifted.placeholders}, unmasked=unmasked, projection=_projection
        )
    except TrailmaskError:
        raise
    except Exception as exc:
        raise QueryRejected(
            f"trailmask cannot check or rewrite this query ({type(exc).__name__})",
            hint="simplify the construct, for example a recursive JSON path `$..x`; "
            'see "The SQL sandbox" in the trailmask documentation',
        ) from None


def _checked(ctx: AppContext, role: str, sql: str, params: dict[str, Any]) -> CheckedQuery:
    policy = ctx.policy
    if role not in policy.roles:
        raise PermissionDenied(
            f"role {role!r} is not defined in the masking policy", hint=f"roles: {', '.join(policy.roles)}"
        )
    checked = check_query(sql)
    missing = sorted(checked.parameters - params.keys())
    if missing:
        names = ", ".join(f"${name}" for name in missing)
        raise UsageError(f"no value given for parameter {names}", hint="pass every $name the SQL uses")
    return checked


# A projection's ``events`` holds the role's masked rows: the query reads the table as it is.
_PROJECTION_RELATION = render_relation(sx.select([sx.star()], sx.table("events", schema="main", alias_="tm_p")))


def prepare_for_projection(ctx: AppContext, role: str, sql: str, params: dict[str, Any]) -> PreparedQuery:
    """The SQL that runs for masked ``role`` on its masked projection (service.projections).

    The same checks, parameter rules and errors as :func:`prepare`; ``events`` is bound to the
    projection's table, which holds masked values only, so no masking key travels with the plan.
    Such a plan reads ``main.events`` as it is: it must run on a projection session only (never on
    the store), which is why only service.projections calls this, pairing it with its engine.
    """
    if ctx.policy.roles.get(role) is not None and ctx.policy.role(role).raw:
        raise PermissionDenied(f"role {role!r} reads raw events; it has no masked projection")
    return prepare(ctx, role, sql, params, _projection=True)


def _masked_dataset(ctx: AppContext, role: str, raw: bool) -> bool:
    """True when the engine reads ``role``'s own masked dataset (``export --as ROLE``, Spark).

    Such a dataset holds that role's masked rows only: it answers that role, under the policy it
    was masked with, and nobody else (a raw role or an unmasked run would get masked values as if
    they were raw; another role would see what its own masking forbids or lacks).
    """
    dataset = ctx.masked_dataset
    if dataset is None:
        return False
    owner, profile = dataset
    where = f"dataset {ctx.settings.dataset}"
    if raw or role != owner:
        asked = "an unmasked run" if raw and role == owner else f"role {role!r}"
        raise PermissionDenied(
            f"{where} holds the masked events of role {owner!r}; {asked} cannot query it",
            hint=f"query it as {owner!r}, or point --dataset at the raw export an admin writes with `trailmask export` "
            f"or at the dataset `trailmask export --as {role}` writes",
        )
    current = profile_name(ctx.policy, role, raw=False)
    if profile != current:
        raise ConfigError(
            f"{where} was masked for {owner!r} under another policy ({profile}; the policy in force gives {current})",
            hint=f"re-export it: trailmask --db STORE export --format parquet {ctx.settings.dataset} --as {owner} "
            "--overwrite",
        )
    return True


def _prepare(
    ctx: AppContext, role: str, sql: str, params: dict[str, Any], *, unmasked: bool, projection: bool
) -> PreparedQuery:
    policy = ctx.policy
    checked = _checked(ctx, role, sql, params)
    raw = policy.role(role).raw or unmasked
    if _masked_dataset(ctx, role, raw):  # Spark over this role's masked dataset: masked already
        projection = True
    columns = None if raw else referenced_columns(checked)
    if projection and not raw:  # the role's masked projection: masked already, no key needed
        text = bind_relation_sql(checked, _PROJECTION_RELATION)
    elif raw:
        text = bind_relation_sql(checked, _relation_sql(ctx, policy, role, raw, columns, None))
    else:
        windows = raw_windows(checked, pass_through_columns(policy, role))
        text = bind_relation_sql(checked, [_relation_sql(ctx, policy, role, raw, columns, w) for w in windows])
    temp_tables = {} if raw or projection else {KEY_TABLE: {KEY_COLUMN: ctx.masking_key.reveal()}}
    return PreparedQuery(
        sql=text,
        params={name: value for name, value in params.items() if name in checked.parameters},
        profile=profile_name(policy, role, raw),
        temp_tables=temp_tables,
        raw_errors=raw,
        notices=grouping_notices(policy, role, grouped_paths(checked)),
    )
