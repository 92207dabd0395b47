"""The HTTP API (L4): FastAPI routes over the service layer; ``create_app(ctx)`` builds it."""

from trailmask.api.app import create_app

__all__ = ["create_app"]
