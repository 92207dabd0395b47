"""Finding 16: server hardening.

- No header, body or idle timeouts and no connection cap: three slow connections were still open
  after 30 s. Now a real ``trailmask serve`` closes a slowloris head, a stalled body and an idle
  keep-alive connection within bounded times, and refuses connections past the cap.
- The UI could be framed from another origin: no X-Frame-Options / frame-ancestors, no CSP header,
  no nosniff. Now every response carries them (errors and the UI included).
- With ``jwks_url``, every unknown ``kid`` fetched the key set again: now at most once per
  ``oidc.jwks_refetch_s``.
"""

from __future__ import annotations

import base64
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from fastapi.testclient import TestClient
from tests.api.conftest import with_extra
from tests.api.server import ServerProcess
from tests.security.jwks_server import serve_jwks

from trailmask.api.hardening import CSP
from trailmask.errors import AuthenticationError
from trailmask.service.context import AppContext
from trailmask.service.identity import authenticate

HARDENED = {"header_timeout_s": 1.5, "body_timeout_s": 1.5, "idle_timeout_s": 1, "max_connections": 8}


_OPEN: list[socket.socket] = []


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    with ServerProcess(tmp_path / "store.duckdb", serve=HARDENED) as running:
        try:
            yield running
        finally:
            while _OPEN:
                _OPEN.pop().close()


def _connect(server: ServerProcess) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.settimeout(10)
    _OPEN.append(sock)
    return sock


def _closed_within(sock: socket.socket, seconds: float) -> float:
    """Seconds until the server closed ``sock`` (reads until EOF); fails if not within ``seconds``."""
    started = time.monotonic()
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        pytest.fail(f"the server kept the connection open for more than {seconds} s")
    except ConnectionResetError:
        pass
    return time.monotonic() - started


def test_slowloris_heads_are_closed_in_bounded_time(server: ServerProcess) -> None:
    slow = [_connect(server) for _ in range(3)]
    for sock in slow:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # the head never ends
    time.sleep(0.5)
    for sock in slow:
        sock.sendall(b"X-a: b\r\n")  # trickling bytes must not extend the deadline
    for sock in slow:
        assert _closed_within(sock, 6) < 6
        sock.close()


def test_silent_connection_is_closed(server: ServerProcess) -> None:
    sock = _connect(server)
    assert _closed_within(sock, 6) < 6
    sock.close()


def test_stalled_body_gets_408(server: ServerProcess) -> None:
    sock = _connect(server)
    sock.sendall(b"POST /api/sql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
    sock.settimeout(8)
    answer = b""
    started = time.monotonic()
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert time.monotonic() - started < 6
    sock.close()


def test_idle_keep_alive_is_closed(server: ServerProcess) -> None:
    sock = _connect(server)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert sock.recv(4096).startswith(b"HTTP/1.1 200")
    assert _closed_within(sock, 6) < 6
    sock.close()


def test_connections_past_the_cap_are_refused(server: ServerProcess) -> None:
    held = [_connect(server) for _ in range(HARDENED["max_connections"])]
    for sock in held:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # open, head not finished
    time.sleep(0.3)
    extra = _connect(server)
    extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert extra.recv(4096).startswith(b"HTTP/1.1 503")
    for sock in [*held, extra]:
        sock.close()


def test_oversized_head_is_refused(server: ServerProcess) -> None:
    sock = _connect(server)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40_000)  # a head that keeps growing
    answer = sock.recv(4096)
    assert answer == b"" or answer.startswith(b"HTTP/1.1 400"), answer[:100]
    sock.close()


@pytest.mark.parametrize("path", ["/", "/index.html", "/healthz", "/api/whoami", "/nosuch"])
def test_security_headers_on_every_response(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.headers["content-security-policy"] == CSP
    assert "frame-ancestors 'none'" in CSP and "unsafe-inline" not in CSP
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"
    if path.startswith("/api/"):
        assert answer.headers["cache-control"] == "no-store"


def test_413_answer_carries_the_headers_too(ctx: AppContext) -> None:
    from trailmask.api import create_app

    small = with_extra(ctx, serve={"max_body_bytes": 100})
    with TestClient(create_app(small)) as client:
        answer = client.post("/api/sql", content=b"x" * 500)
    assert answer.status_code == 413
    assert answer.headers["x-frame-options"] == "DENY"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_unknown_kids_refetch_the_jwks_at_most_once_per_interval(ctx: AppContext) -> None:
    keys = json.loads(Path(ctx.settings.oidc["jwks_file"]).read_text())
    with serve_jwks(keys) as (url, hits):
        oidc = {k: v for k, v in ctx.settings.oidc.items() if k != "jwks_file"}
        remote = with_extra(ctx, oidc={**oidc, "jwks_url": url, "jwks_refetch_s": 3600})
        claims = _b64(json.dumps({"sub": "x", "exp": 2_000_000_000}).encode())
        for n in range(25):
            forged = f"{_b64(json.dumps({'alg': 'RS256', 'kid': f'made-up-{n}'}).encode())}.{claims}.c2ln"
            with pytest.raises(AuthenticationError):
                authenticate(remote, f"Bearer {forged}")
        assert hits() == 1, hits()  # the first fetch; made-up kids inside the interval fetch nothing


def test_jwks_url_still_verifies_real_tokens(ctx: AppContext, rsa_key: object) -> None:
    keys = json.loads(Path(ctx.settings.oidc["jwks_file"]).read_text())
    with serve_jwks(keys) as (url, hits):
        oidc = {k: v for k, v in ctx.settings.oidc.items() if k != "jwks_file"}
        remote = with_extra(ctx, oidc={**oidc, "jwks_url": url})
        now = int(time.time())
        claims = {"iss": oidc["issuer"], "aud": oidc["audience"], "sub": "u-9", "groups": ["staff"], "exp": now + 60}
        token = jwt.encode(claims, rsa_key, algorithm="RS256", headers={"kid": "test-key"})  # type: ignore[arg-type]
        for _ in range(5):
            assert authenticate(remote, f"Bearer {token}").role == "viewer"
        assert hits() == 1
