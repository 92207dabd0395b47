"""``trailmask serve``: the HTTP API (and web UI) on uvicorn."""

from __future__ import annotations

import errno
import signal
import socket
import sys

import click
import uvicorn

from trailmask.api import create_app
from trailmask.api.hardening import guarded_protocol
from trailmask.cli.context import app_context, owner_actor
from trailmask.errors import UsageError
from trailmask.service.auditing import record_event
from trailmask.service.serving import start_serving

H11_MAX_HEAD_BYTES = 16 * 1024  # request line plus headers; a bearer JWT fits many times over


@click.command("serve")
@click.option("--host", default=None, help="Address to listen on (env TRAILMASK_HOST; default 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (env TRAILMASK_PORT; default 8080).")
@click.option(
    "--log-level",
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    default="info",
    show_default=True,
    help="Server log verbosity (request lines at info; values are never logged).",
)
def serve_command(host: str | None, port: int | None, log_level: str) -> None:
    """Serve the HTTP API and the web UI until SIGINT/SIGTERM.

    On a signal the server stops accepting connections and lets requests in flight finish (up to
    serve.graceful_timeout_s). Every request is authenticated; see docs/server.md.
    """
    cli_ctx = app_context()
    options = cli_ctx.settings.serve
    bind_host = host or cli_ctx.settings.host
    bind_port = port or cli_ctx.settings.port
    listener = _listen(bind_host, bind_port)  # before anything says "serving" or is audited as a start
    # fail fast (exit 10) when the audit log cannot be written: no request could be answered
    record_event(cli_ctx, owner_actor("admin"), "server.start", address=f"{bind_host}:{bind_port}")
    if not cli_ctx.store.exists:
        click.echo(f"note: no store at {cli_ctx.store.path} yet; the server creates an empty one", err=True)
    # the server owns the store from here on: one DuckDB instance, pooled sessions, a result cache;
    # `trailmask ingest` on this machine hands its sources to the server (docs/server.md)
    ctx, serving = start_serving(cli_ctx)
    app = create_app(ctx, serving)
    config = uvicorn.Config(
        app,
        host=bind_host,
        port=bind_port,
        log_level=log_level,
        timeout_graceful_shutdown=int(options.graceful_timeout_s),
        server_header=False,
        proxy_headers=False,
        # hardening (docs/server.md): idle keep-alive closed, connections capped (503 past the cap),
        # request heads bounded in size and in time (api.hardening), bodies in time (api.limits)
        http=guarded_protocol(options.header_timeout_s),
        timeout_keep_alive=max(1, round(options.idle_timeout_s)),
        limit_concurrency=options.max_connections,
        h11_max_incomplete_event_size=H11_MAX_HEAD_BYTES,
    )
    click.echo(f"trailmask serving http://{bind_host}:{bind_port}/ (store {ctx.store.path})", err=True)
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then re-raises the signal to the previous
    # handler: make that a clean exit (status 0) rather than death by signal
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _exit_cleanly)
    serving.publish(f"http://{_local_host(bind_host)}:{bind_port}")
    try:
        uvicorn.Server(config).run(sockets=[listener])
    finally:
        serving.close()


def _local_host(host: str) -> str:
    """The address a process on this machine reaches the server at (a wildcard bind: loopback)."""
    if host in ("0.0.0.0", "", "*"):  # noqa: S104 (a wildcard bind is reached on loopback)
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def _listen(host: str, port: int) -> socket.socket:
    """The bound listening socket uvicorn serves on; UsageError (exit 2) when the address is taken
    or cannot be bound, so the command fails before it prints "serving" (issue 12.5)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: no wait after a restart
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        reason = "already in use" if exc.errno == errno.EADDRINUSE else (exc.strerror or type(exc).__name__)
        raise UsageError(
            f"cannot listen on {host}:{port}: {reason}",
            hint="pick another port with --port or TRAILMASK_PORT, or stop the process that holds it",
        ) from None
    return sock


def _exit_cleanly(signum: int, frame: object) -> None:
    sys.exit(0)


COMMANDS = [serve_command]
