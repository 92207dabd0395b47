"""Dashboards as code: the built-in ones are valid against the catalogue, a team's folder loads from
config and replaces or adds dashboards, and a bad file fails closed with an error naming the file
and the key (unknown keys, unknown runbooks, parameters or columns)."""

from __future__ import annotations

from pathlib import Path

import pytest

from trailmask.config import Settings
from trailmask.errors import ConfigError, NotFound
from trailmask.models import Actor
from trailmask.runbooks.dashboard import check_against, load_dashboards
from trailmask.service.context import AppContext
from trailmask.service.dashboards import list_dashboards, show_dashboard

VIEWER = Actor("viewer", "viewer", "token")
TEAM = """
id: team-iam
title: Team IAM
window: 7d
panels:
  - id: keys
    title: Keys created
    runbook: access-keys-created
    chart: {type: timeseries, time: eventTime}
"""


def _ctx(tmp_path: Path, *folders: Path) -> AppContext:
    return AppContext.from_settings(Settings(db=tmp_path / "store.duckdb", dashboard_paths=folders))


def test_builtin_dashboards_are_valid_against_the_catalogue(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path)
    found = load_dashboards()
    assert {"overview", "cis", "data-health"} <= set(found)
    runbooks = {r.id: r for r in ctx.catalog}
    for dashboard in found.values():
        check_against(dashboard, runbooks)  # raises on an unknown runbook, parameter or column
    assert any(p.runbook == "health-delivery-gaps" for p in found["data-health"].panels)
    assert found["data-health"].health_checks and not found["overview"].health_checks


def test_a_team_folder_adds_dashboards_and_panels_say_whether_the_role_may_run_them(tmp_path: Path) -> None:
    folder = tmp_path / "dashboards"
    folder.mkdir()
    (folder / "iam.yaml").write_text(TEAM, encoding="utf-8")
    ctx = _ctx(tmp_path, folder)
    listed = {d["id"]: d for d in list_dashboards(ctx, VIEWER)}
    assert listed["team-iam"]["origin"] == str(folder) and listed["overview"]["origin"] == "builtin"
    shown = show_dashboard(ctx, VIEWER, "team-iam")
    assert [p["id"] for p in shown["panels"]] == ["keys"]
    assert isinstance(shown["panels"][0]["allowed"], bool)
    with pytest.raises(NotFound):
        show_dashboard(ctx, VIEWER, "no-such-dashboard")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("window: 7d", "windw: 7d"), "unknown key 'windw' (did you mean 'window'?)"),
        (("    title: Keys created", "    titel: Keys created"), "unknown key 'titel'"),
        (("runbook: access-keys-created", "runbook: access-keys-creatd"), "did you mean 'access-keys-created'"),
        (("time: eventTime}", "time: no_such_column}"), "has no output column 'no_such_column'"),
        (("chart: {type: timeseries", "chart: {type: pie"), "'type' must be one of"),
        (("    chart:", "    params: {no_such: 1}\n    chart:"), "has no parameter 'no_such'"),
        (("window: 7d", "window: soon"), "'window' must be a duration"),
        (("window: 7d", "window: 7d\nhealth_checks: 'yes'"), "'health_checks' must be true or false"),
    ],
)
def test_a_bad_dashboard_fails_closed_naming_file_and_key(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    folder = tmp_path / "dashboards"
    folder.mkdir()
    path = folder / "iam.yaml"
    path.write_text(TEAM.replace(*change), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        list_dashboards(_ctx(tmp_path, folder), VIEWER)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)


def test_a_missing_dashboards_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"dashboards folder .* does not exist"):
        load_dashboards([tmp_path / "nope"])
