"""Role permissions: ``allowed(permissions, action, resource)`` with default deny, deny wins.

Pure functions over permission strings; no I/O. The vocabulary is documented in docs/auth.md.
"""

from trailmask.rbac.permissions import ACTIONS, Decision, Resource, allowed, required_permissions

__all__ = ["ACTIONS", "Decision", "Resource", "allowed", "required_permissions"]
