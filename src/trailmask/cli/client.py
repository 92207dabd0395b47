"""CLI client mode: ``trailmask --server URL --token T sql|runbook run|approval ...``.

The server answers in the one error shape; this module turns that back into the TrailmaskError
of the same kind, so a command run against a server fails with the same message and exit code as
it would locally. The role is never sent: the server takes it from the token.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import click

from trailmask.cli.render import emit_rows
from trailmask.config import load_settings
from trailmask.errors import ALL_ERRORS, AuthenticationError, RateLimited, TrailmaskError, Unreachable, UsageError

_BY_KIND: dict[str, type[TrailmaskError]] = {cls.kind: cls for cls in ALL_ERRORS}
DEFAULT_TIMEOUT_S = 300.0

if TYPE_CHECKING:  # httpx is imported when a client is made: local commands never pay for it
    import httpx


class ServerClient:
    """A bearer-token HTTP client for one trailmask server."""

    def __init__(self, url: str, token: str, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        import httpx  # client mode only: local commands start without it

        self.url = url.rstrip("/")
        self._errors = httpx.HTTPError
        self._ingest_timeout = httpx.Timeout(30.0, read=None)  # a load takes as long as it takes
        self._http = httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=timeout_s,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def request(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        try:
            response = self._http.request(method, path, json=body)
        except self._errors as exc:
            raise Unreachable(
                f"cannot reach the trailmask server at {self.url}: {type(exc).__name__}",
                hint="check --server / TRAILMASK_SERVER and that `trailmask serve` runs",
            ) from None
        if response.is_success:
            return response.json()
        raise _error(response)

    def ingest(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """``POST /api/ingest`` (the store owner's hand-off, see cli.cmd_ingest): waits for the whole load."""
        try:
            response = self._http.post("/api/ingest", json=dict(body), timeout=self._ingest_timeout)
        except self._errors as exc:
            raise Unreachable(
                f"the trailmask server at {self.url} did not finish the ingest: {type(exc).__name__}",
                hint="its audit log says which batches committed; the same ingest can run again, "
                "as it loads each event once",
            ) from None
        if response.is_success:
            result: dict[str, Any] = response.json()
            return result
        raise _error(response)

    def sql(self, query: str, *, max_rows: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"sql": query}
        if max_rows:
            body["max_rows"] = max_rows
        result: dict[str, Any] = self.request("POST", "/api/sql", body)
        return result

    def run_runbook(self, runbook_id: str, params: Mapping[str, Any], *, max_rows: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"params": dict(params)}
        if max_rows:
            body["max_rows"] = max_rows
        result: dict[str, Any] = self.request("POST", f"/api/runbooks/{quote(runbook_id, safe='')}/run", body)
        return result


def _error(response: httpx.Response) -> TrailmaskError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict) or "message" not in body:
        return TrailmaskError(f"the server answered HTTP {response.status_code}")
    message, hint = str(body["message"]), body.get("hint")
    kind = str(body.get("error", ""))
    if kind == "rate_limited":
        retry = float(response.headers.get("Retry-After", "1") or 1)
        return RateLimited(message, retry_after_s=retry, hint=hint)
    cls = _BY_KIND.get(kind, TrailmaskError)
    return cls(message, hint=str(hint) if hint else None)


def server_client() -> ServerClient | None:
    """The client for this invocation when ``--server``/TRAILMASK_SERVER (or config ``server:``) is set."""
    root = click.get_current_context().find_root()
    obj = root.obj or {}
    settings = load_settings(obj.get("overrides"))
    if not settings.server_url:
        return None
    token = obj.get("token") or os.environ.get("TRAILMASK_TOKEN")
    if not token:
        raise AuthenticationError("--server needs a token", hint="pass --token or set TRAILMASK_TOKEN")
    client = ServerClient(settings.server_url, str(token))
    root.call_on_close(client.close)
    return client


def reject_role_option(role: str | None) -> None:
    """``--as`` is a local preview; against a server the token decides the role."""
    if role:
        raise UsageError("--as cannot be used with --server", hint="the server takes your role from your token")


def emit_result(result: Mapping[str, Any], fmt: str) -> None:
    """Print a server query result like a local one (rows to stdout, truncation note to stderr)."""
    emit_rows(list(result.get("columns", [])), list(result.get("rows", [])), fmt)
    for notice in result.get("notices") or []:
        click.echo(f"note: {notice}", err=True)
    if result.get("truncated"):
        click.echo(f"note: output truncated at {result.get('row_count')} rows", err=True)
