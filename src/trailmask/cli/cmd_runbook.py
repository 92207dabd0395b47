"""``trailmask runbook list | show | run | test | lint | import-sigma | docs``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from trailmask.cli.client import emit_result, reject_role_option, server_client
from trailmask.cli.context import app_context, owner_actor
from trailmask.cli.render import chosen_format, emit_object, emit_rows, format_option, visible
from trailmask.errors import TrailmaskError, UsageError
from trailmask.models import Actor
from trailmask.runbooks.serialize import detail, summary
from trailmask.service import runbooks as service
from trailmask.service.catalog import catalog, get_runbook
from trailmask.service.context import AppContext

EXIT_FAILED = 1


@click.group("runbook")
def runbook_group() -> None:
    """Documented, typed, tested queries: list, show, run, test, lint, import from Sigma, docs."""


def _warn_broken() -> None:
    errors = catalog(app_context()).errors
    if errors:
        click.echo(f"warning: {len(errors)} runbook file(s) failed to load; see `trailmask runbook lint`", err=True)


def _short_tags(tags: tuple[str, ...]) -> str:
    """Plain tags, and how many framework mappings (cis-aws-*, attack, ...) the json output lists."""
    plain = [t for t in tags if ":" not in t]
    mapped = len(tags) - len(plain)
    return ", ".join(plain) + (f" (+{mapped} mappings)" if mapped else "")


@runbook_group.command("list")
@click.option("--tag", "tags", multiple=True, help="Only runbooks with this tag (repeatable; prefix match on 'ns:').")
@format_option
def list_command(tags: tuple[str, ...], fmt: str | None) -> None:
    """List runbooks: id, severity, title and tags (json adds the parameters)."""
    fmt = chosen_format(fmt)
    runbooks = service.list_runbooks(app_context())
    if tags:
        runbooks = [r for r in runbooks if any(t == x or t.startswith(x + ":") for x in tags for t in r.tags)]
    if fmt == "json":
        emit_object([summary(r) for r in runbooks], fmt)
    else:
        rows = [
            {"id": r.id, "severity": r.severity, "title": r.title, "tags": _short_tags(r.tags), "origin": r.origin}
            for r in runbooks
        ]
        emit_rows(["id", "severity", "title", "tags", "origin"], rows, fmt)
    _warn_broken()


@runbook_group.command("show")
@click.argument("runbook_id")
@format_option
def show_command(runbook_id: str, fmt: str | None) -> None:
    """Show a runbook's documentation, parameters and SQL (json: every field)."""
    fmt = chosen_format(fmt)
    runbook = get_runbook(app_context(), runbook_id)
    if fmt == "json":
        emit_object(detail(runbook), fmt)
    else:
        click.echo(service.render_page(app_context(), runbook))


def _collect(pairs: tuple[str, ...]) -> dict[str, Any]:
    """``-p name=value`` pairs; a repeated name collects a list."""
    values: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError("a parameter must be given as -p NAME=VALUE", hint="e.g. -p since=7d")
        name = name.strip()
        if name in values:
            previous = values[name]
            values[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            values[name] = value
    return values


@runbook_group.command("run")
@click.argument("runbook_id")
@click.option(
    "--as", "role", default=None, help="Role whose masked view to query (local preview; required without --server)."
)
@click.option("-p", "--param", "pairs", multiple=True, metavar="NAME=VALUE", help="A parameter value (repeatable).")
@click.option("--max-rows", type=click.IntRange(min=1), default=None, help="Row limit (capped by config max_rows).")
@format_option
def run_command(
    runbook_id: str, role: str | None, pairs: tuple[str, ...], max_rows: int | None, fmt: str | None
) -> None:
    """Run a runbook as ROLE (or as your token's role with --server); values are typed, validated and bound."""
    params = _collect(pairs)
    client = server_client()
    if client is not None:
        reject_role_option(role)
        emit_result(client.run_runbook(runbook_id, params, max_rows=max_rows), chosen_format(fmt))
        return
    if not role:
        raise UsageError("--as ROLE is required", hint="or use --server URL --token T against a server")
    ctx, actor, fmt = app_context(), owner_actor(role), chosen_format(fmt)
    result = service.run_runbook(ctx, actor, runbook_id, params, max_rows=max_rows)
    searched = _store_span(ctx, actor) if not result.rows and fmt == "table" else None
    emit_rows(result.columns, result.rows, fmt, searched=searched)
    for notice in result.notices:  # what an indicator matched as; a grouping on redacted fields
        click.echo(visible(f"note: {notice}"), err=True)
    if result.truncated:
        click.echo(f"note: output truncated at {result.row_count} rows", err=True)


def _store_span(ctx: AppContext, actor: Actor) -> str | None:
    """For an empty result: the time span the store covers (the data status every role may read,
    audited as ``status``, as the web UI shows it beside a runbook), or None when it cannot be told."""
    from trailmask.service.dashboards import data_status  # only for an empty result

    try:
        status = data_status(ctx, actor)
    except TrailmaskError:
        return None
    if not status["events"]:
        return "the store holds no events"
    if status["first_event"] is None:
        return f"none of the store's {status['events']} events has an event time"
    first, last = (str(status[k]).replace("T", " ").removesuffix("Z") for k in ("first_event", "last_event"))
    return f"the store's {status['events']} events span {first} to {last} UTC"


@runbook_group.command("test")
@click.argument("runbook_ids", nargs=-1)
@format_option
def test_command(runbook_ids: tuple[str, ...], fmt: str | None) -> None:
    """Run runbooks against their fixture events (all runbooks when no ID is given); exit 1 on failure."""
    fmt = chosen_format(fmt)
    outcomes = service.test_runbooks(app_context(), list(runbook_ids) or None)
    rows = [o.to_dict() for o in outcomes]
    if fmt == "json":
        emit_object(rows, fmt)
    else:
        table = [{**r, "problems": "; ".join(r["problems"])} for r in rows]
        emit_rows(["runbook", "fixture", "passed", "rows", "problems"], table, fmt)
        failed = sum(1 for o in outcomes if not o.passed)
        click.echo(f"{len(outcomes) - failed} of {len(outcomes)} fixtures passed", err=True)
    if any(not o.passed for o in outcomes):
        sys.exit(EXIT_FAILED)


@runbook_group.command("lint")
@format_option
def lint_command(fmt: str | None) -> None:
    """Check every runbook: parameters, docs, time window, tags, follow-ups, SQL the sandbox would reject."""
    fmt = chosen_format(fmt)
    findings = service.lint_runbooks(app_context())
    rows = [f.to_dict() for f in findings]
    if fmt == "json":
        emit_object(rows, fmt)
    else:
        emit_rows(["severity", "runbook", "message"], rows, fmt)
        click.echo(f"{len(findings)} finding(s)", err=True)
    if any(f.severity == "error" for f in findings):
        sys.exit(EXIT_FAILED)


@runbook_group.command("import-sigma")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the runbook files (default: print one runbook's YAML on stdout).",
)
@format_option
def import_sigma_command(source: Path, out: Path | None, fmt: str | None) -> None:
    """Compile Sigma rules (a YAML rule, or a JSON-lines collection) into runbooks, crediting authors."""
    fmt = chosen_format(fmt)
    report = service.import_sigma(app_context(), source, out)
    if out is None and len(report.imported) == 1 and not report.unsupported:
        click.echo(report.imported[0].text, nl=False)
        return
    if out is None and report.imported:
        raise UsageError(f"{source} holds {len(report.imported)} importable rules", hint="give --out DIR")
    if fmt == "json":
        emit_object(report.to_dict(), fmt)
    else:
        rows = [{"rule": u.title, "status": "unsupported", "detail": u.reason} for u in report.unsupported]
        rows = [{"rule": i.title, "status": "imported", "detail": str(i.path or "")} for i in report.imported] + rows
        emit_rows(["rule", "status", "detail"], rows, fmt)
        click.echo(f"{len(report.imported)} imported, {len(report.unsupported)} unsupported", err=True)


@runbook_group.command("docs")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("docs/runbooks"),
    show_default=True,
    help="Folder the runbook pages and index are written to.",
)
@click.option("--check", is_flag=True, help="Exit 1 if the files in --out differ from what would be generated.")
def docs_command(out: Path, check: bool) -> None:
    """Generate one Markdown page per runbook plus an index by tag and CIS control."""
    stale = service.write_docs(app_context(), out, check=check)
    if check and stale:
        for path in stale:
            click.echo(f"stale: {path}", err=True)
        click.echo("runbook docs are out of date: run `trailmask runbook docs`", err=True)
        sys.exit(EXIT_FAILED)
    click.echo(f"{'checked' if check else 'wrote'} runbook docs in {out}", err=True)


COMMANDS = [runbook_group]
