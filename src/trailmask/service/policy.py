"""The masking policy and the masking key of a running trailmask, and the policy commands.

Policy: ``settings.policy_file`` (config ``policy:`` / TRAILMASK_POLICY) or the built-in default;
key: see service.keys. Both are read once per AppContext (``ctx.policy``, ``ctx.masking_key``).
"""

from __future__ import annotations

from trailmask.config import Secret
from trailmask.masking.check import PolicyCheck, check_policy
from trailmask.masking.model import Policy
from trailmask.service.context import AppContext
from trailmask.service.keys import KEY_ENV, MIN_KEY_CHARS

__all__ = ["KEY_ENV", "MIN_KEY_CHARS", "check", "load_policy", "masking_key"]


def load_policy(ctx: AppContext) -> Policy:
    """The policy in force (``ctx.policy``)."""
    return ctx.policy


def masking_key(ctx: AppContext) -> Secret:
    """The keyed-pseudonym key (``ctx.masking_key``)."""
    return ctx.masking_key


def check(ctx: AppContext) -> PolicyCheck:
    """``policy check``: the policy in force explained field by field, with warnings."""
    return check_policy(load_policy(ctx))
