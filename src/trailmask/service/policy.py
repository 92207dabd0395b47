"""The policy commands over the policy in force (``ctx.policy``: ``settings.policy_file``, config
``policy:`` / TRAILMASK_POLICY, or the built-in default; read once per AppContext)."""

from __future__ import annotations

from trailmask.masking.check import PolicyCheck, check_policy
from trailmask.service.context import AppContext

__all__ = ["check"]


def check(ctx: AppContext) -> PolicyCheck:
    """``policy check``: the policy in force explained field by field, with warnings."""
    return check_policy(ctx.policy)
