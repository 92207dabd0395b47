"""Deliver one alert to one destination: generic webhook, Slack, PagerDuty Events v2, SMTP, JSON lines.

The payload is what the watch runner built from the role-masked rows; nothing here reads the store.
Secrets (HMAC key, PagerDuty routing key, SMTP password) come from ``secret_env`` (an environment
variable) or ``secret_file`` (a file) at send time and never appear in an error, a log or a result.

Webhook signature (docs/monitoring.md): header ``X-Trailmask-Timestamp: <unix seconds>`` and
``X-Trailmask-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>``; receivers
should refuse a timestamp more than 300 s from their clock (the replay window) and drop a repeated
``X-Trailmask-Delivery`` id.

:func:`deliver_with_retries` retries a failed attempt with exponential backoff and full jitter and
reports each attempt to ``on_attempt`` (the service audits it: watch, destination, outcome only).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import random
import smtplib
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from trailmask.errors import ConfigError
from trailmask.monitor.spec import Destination

REPLAY_WINDOW_S = 300
USER_AGENT = "trailmask-monitor"


class DeliveryFailed(Exception):
    """One attempt failed; the message never holds a secret or the payload."""


def read_secret(destination: Destination, *, required: bool) -> str | None:
    """The destination's secret from its env variable or file (None when it names neither)."""
    env, file = destination.options.get("secret_env"), destination.options.get("secret_file")
    if env:
        value = os.environ.get(str(env))
        if not value:
            raise ConfigError(f"destination '{destination.name}': environment variable {env} is not set")
        return value
    if file:
        try:
            return Path(str(file)).expanduser().read_text(encoding="utf-8").strip()
        except OSError:
            raise ConfigError(f"destination '{destination.name}': cannot read secret_file {file}") from None
    if required:
        raise ConfigError(f"destination '{destination.name}' needs secret_env or secret_file")
    return None


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def _post(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> None:
    if not url.startswith(("http://", "https://")):
        raise ConfigError("a destination url must start with http:// or https://")
    request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310 (scheme checked above)
    for key, value in {"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers}.items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (configured URL)
            answer.read()
    except urllib.error.HTTPError as exc:
        raise DeliveryFailed(f"HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryFailed(f"unreachable ({type(exc).__name__})") from None


def _summary(alert: Mapping[str, Any]) -> str:
    if alert.get("summary"):  # a case sent by its owner (service.cases) says what it is itself
        return str(alert["summary"])
    if alert.get("resolved"):
        return f"trailmask watch '{alert['watch']}': resolved, key {alert['dedup_key']}"
    return f"trailmask watch '{alert['watch']}': {len(alert['rows'])} row(s), key {alert['dedup_key']}"


def _webhook(destination: Destination, alert: Mapping[str, Any], delivery_id: str) -> None:
    body = json.dumps(alert, sort_keys=True, default=str).encode()
    headers = {"X-Trailmask-Delivery": delivery_id}
    secret = read_secret(destination, required=False)
    if secret is not None:
        timestamp = str(int(time.time()))
        headers |= {"X-Trailmask-Timestamp": timestamp, "X-Trailmask-Signature": sign(secret, timestamp, body)}
    _post(str(destination.options["url"]), body, headers, _timeout(destination))


def _slack(destination: Destination, alert: Mapping[str, Any], delivery_id: str) -> None:
    lines = [json.dumps(row, sort_keys=True, default=str)[:500] for row in alert["rows"][:10]]
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": f"trailmask: {alert['watch']}"[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _summary(alert)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "```" + "\n".join(lines) + "```"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"role {alert['role']} · {delivery_id}"}]},
    ]
    body = json.dumps({"text": _summary(alert), "blocks": blocks}).encode()
    _post(str(destination.options["url"]), body, {}, _timeout(destination))


def _pagerduty(destination: Destination, alert: Mapping[str, Any], delivery_id: str) -> None:
    routing_key = read_secret(destination, required=True)
    # a resolve names the incident its trigger opened (the trigger's delivery id)
    event: dict[str, Any] = {"routing_key": routing_key, "dedup_key": str(alert.get("incident") or delivery_id)}
    if alert.get("resolved"):
        event["event_action"] = "resolve"
    else:
        event["event_action"] = "trigger"
        event["payload"] = {
            "summary": _summary(alert)[:1024],
            "source": "trailmask",
            "severity": str(destination.options.get("severity", "warning")),
            "custom_details": {"rows": alert["rows"], "role": alert["role"], "runbook": alert["runbook"]},
        }
    _post(str(destination.options["url"]), json.dumps(event, default=str).encode(), {}, _timeout(destination))


def _email(destination: Destination, alert: Mapping[str, Any], delivery_id: str) -> None:
    options = destination.options
    message = EmailMessage()
    message["Subject"] = _summary(alert)[:200]
    message["From"] = str(options["sender"])
    recipients = options["to"] if isinstance(options["to"], list) else [options["to"]]
    message["To"] = ", ".join(str(r) for r in recipients)
    message["X-Trailmask-Delivery"] = delivery_id
    message.set_content(json.dumps(alert, indent=2, sort_keys=True, default=str))
    try:
        with smtplib.SMTP(str(options["host"]), int(options.get("port", 25)), timeout=_timeout(destination)) as smtp:
            if options.get("starttls"):
                smtp.starttls()
            if options.get("username"):
                smtp.login(str(options["username"]), read_secret(destination, required=True) or "")
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryFailed(f"SMTP failed ({type(exc).__name__})") from None


def _file(destination: Destination, alert: Mapping[str, Any], delivery_id: str) -> None:
    path = Path(str(destination.options["path"])).expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"delivery_id": delivery_id, **alert}, sort_keys=True, default=str) + "\n")
    except OSError as exc:
        raise DeliveryFailed(f"cannot write the sink file ({type(exc).__name__})") from None


SENDERS: dict[str, Callable[[Destination, Mapping[str, Any], str], None]] = {
    "webhook": _webhook,
    "slack": _slack,
    "pagerduty": _pagerduty,
    "email": _email,
    "file": _file,
}


def _timeout(destination: Destination) -> float:
    return float(destination.options.get("timeout_s", 10))


def deliver_with_retries(
    destination: Destination,
    alert: Mapping[str, Any],
    delivery_id: str,
    *,
    on_attempt: Callable[[int, str | None], None],
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Send with ``destination.retries`` retries; True once accepted, False after the last failure."""
    for attempt in range(destination.retries + 1):
        try:
            SENDERS[destination.type](destination, alert, delivery_id)
        except DeliveryFailed as exc:
            on_attempt(attempt + 1, str(exc))
            if attempt < destination.retries:
                sleep(random.uniform(0, destination.backoff_s * 2**attempt))  # noqa: S311 (jitter, not crypto)
            continue
        on_attempt(attempt + 1, None)
        return True
    return False
