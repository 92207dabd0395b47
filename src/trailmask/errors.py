"""The one exception tree of trailmask.

Every error a user can see is a :class:`TrailmaskError`. Each class maps once to a CLI exit code
and once to an HTTP status; interfaces render ``str(error)`` and never an engine's raw message
(engine messages can echo data, see ``QueryFailed``).

```
TrailmaskError                  exit 1   HTTP 500
├── UsageError                  exit 2   HTTP 400   bad flag, bad parameter, bad config value
│   └── ConfigError             exit 2   HTTP 400   config/policy/runbook file invalid
├── InputRejected               exit 3   HTTP 422   input files rejected (ingest, import)
├── NotFound                    exit 4   HTTP 404   unknown runbook, user, role, file
├── AuthenticationError         exit 5   HTTP 401   no or bad credentials
├── PermissionDenied            exit 6   HTTP 403   authenticated but not allowed
├── QueryRejected               exit 7   HTTP 400   the SQL sandbox refused a statement
├── QueryFailed                 exit 8   HTTP 422   the engine failed to run an accepted query
│   ├── QueryTimeout            exit 8   HTTP 504   time limit reached (not 408: browsers resend on 408)
│   └── QueryCancelled          exit 8   HTTP 409   its owner cancelled the run (POST /api/runs/ID/cancel)
├── IntegrityError              exit 9   HTTP 409   log validation / audit chain verification failed
├── AuditError                  exit 10  HTTP 503   the audit log could not be written: request refused
├── Conflict                    exit 11  HTTP 409   state conflict (approval already decided, ...)
├── StoreError                  exit 12  HTTP 500   the events store is unusable (locked, corrupt, newer schema)
├── ServerBusy                  exit 12  HTTP 503   every query slot stayed taken (server; Retry-After)
├── RequestTooLarge             exit 2   HTTP 413   request body over the server's limit
├── RateLimited                 exit 13  HTTP 429   too many requests for one token (Retry-After)
├── Unreachable                 exit 14  HTTP 502   a server trailmask talks to cannot be reached (client mode)
└── UsageError
    └── MethodNotAllowed        exit 2   HTTP 405   route exists, not with this method
```
"""

from __future__ import annotations


class TrailmaskError(Exception):
    """Base of every error trailmask reports to a user."""

    exit_code: int = 1
    http_status: int = 500
    kind: str = "error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message

    def to_dict(self) -> dict[str, str]:
        """The one JSON error shape used by every interface."""
        body = {"error": self.kind, "message": self.message}
        if self.hint:
            body["hint"] = self.hint
        return body


class UsageError(TrailmaskError):
    exit_code = 2
    http_status = 400
    kind = "usage"


class ConfigError(UsageError):
    kind = "config"


class InputRejected(TrailmaskError):
    exit_code = 3
    http_status = 422
    kind = "input_rejected"


class NotFound(TrailmaskError):
    exit_code = 4
    http_status = 404
    kind = "not_found"


class AuthenticationError(TrailmaskError):
    exit_code = 5
    http_status = 401
    kind = "unauthenticated"


class PermissionDenied(TrailmaskError):
    exit_code = 6
    http_status = 403
    kind = "forbidden"


class QueryRejected(TrailmaskError):
    exit_code = 7
    http_status = 400
    kind = "query_rejected"


class QueryFailed(TrailmaskError):
    """The engine could not run a query. ``engine_message`` is the engine's own text, kept aside:
    it can quote SQL and values, so only callers allowed to show it (raw roles) do.
    ``schema_message``: the text when the error depends only on the query and the schema (parser,
    binder, catalog), which every role may see; None when it can depend on data values."""

    exit_code = 8
    http_status = 422
    kind = "query_failed"

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        engine_message: str | None = None,
        schema_message: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.engine_message = engine_message
        self.schema_message = schema_message


class QueryTimeout(QueryFailed):
    # 504, not 408: Chromium resends a request answered 408 on a kept-alive connection by itself,
    # so one click ran a slow query twice and reported the limit after twice the time.
    http_status = 504
    kind = "query_timeout"


class QueryCancelled(QueryFailed):
    """The run's owner cancelled it: the engine was interrupted (or the run never started)."""

    http_status = 409
    kind = "cancelled"


class IntegrityError(TrailmaskError):
    exit_code = 9
    http_status = 409
    kind = "integrity"


class AuditError(TrailmaskError):
    exit_code = 10
    http_status = 503
    kind = "audit_unavailable"


class Conflict(TrailmaskError):
    exit_code = 11
    http_status = 409
    kind = "conflict"


class StoreError(TrailmaskError):
    exit_code = 12
    http_status = 500
    kind = "store"


class RateLimited(TrailmaskError):
    """Too many requests for one token (or one client address before sign-in)."""

    exit_code = 13
    http_status = 429
    kind = "rate_limited"

    def __init__(self, message: str, *, retry_after_s: float, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.retry_after_s = retry_after_s


class RequestTooLarge(TrailmaskError):
    exit_code = 2
    http_status = 413
    kind = "too_large"


class ServerBusy(TrailmaskError):
    """Every query slot stayed taken for the whole queue wait."""

    exit_code = 12
    http_status = 503
    kind = "busy"


class Unreachable(TrailmaskError):
    """Client mode: the trailmask server (or another service trailmask calls) did not answer."""

    exit_code = 14
    http_status = 502
    kind = "unreachable"


class MethodNotAllowed(UsageError):
    """HTTP only: the route exists but not with this method."""

    http_status = 405
    kind = "method_not_allowed"


def _subclasses(cls: type[TrailmaskError]) -> list[type[TrailmaskError]]:
    """``cls`` and every subclass defined under it, depth first in definition order."""
    found = [cls]
    for sub in cls.__subclasses__():
        found.extend(_subclasses(sub))
    return found


ALL_ERRORS: tuple[type[TrailmaskError], ...] = tuple(_subclasses(TrailmaskError))
"""Every error class, derived from the tree (a class added above is listed without editing this)."""
