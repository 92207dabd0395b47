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
    ctx = app_context()
    options = ctx.settings.serve
    bind_host = host or ctx.settings.host
    bind_port = port or ctx.settings.port
    listener = _listen(bind_host, bind_port)  # before anything says "serving" or is audited as a start
    app = create_app(ctx)
    # fail fast (exit 10) when the audit log cannot be written: no request could be answered
    record_event(ctx, owner_actor("admin"), "server.start", address=f"{bind_host}:{bind_port}")
    if not ctx.store.exists:
        click.echo(f"note: no store at {ctx.store.path} yet; queries fail until `trailmask ingest` runs", err=True)
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
    uvicorn.Server(config).run(sockets=[listener])


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
            hint="pick another port with --port (or TRAILMASK_PORT), or stop the process that holds it",
        ) from None
    return sock


def _exit_cleanly(signum: int, frame: object) -> None:
    sys.exit(0)


COMMANDS = [serve_command]
