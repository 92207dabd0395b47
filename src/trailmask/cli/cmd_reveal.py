"""``trailmask reveal TOKEN --as ROLE``: a pseudonym token back to its raw value (audited)."""

from __future__ import annotations

import click

from trailmask.cli.context import app_context, owner_actor
from trailmask.cli.render import chosen_format, emit_rows, format_option
from trailmask.service.reveal import reveal_token


@click.command("reveal")
@click.argument("token")
@click.option("--as", "role", required=True, help="Role asking (it needs permission 'reveal', or an approval).")
@click.option("--justification", required=True, help="Why the raw value is needed (at least 10 characters; audited).")
@click.option("--approval", "approval_id", default=None, help="An approved `reveal` request (roles without reveal).")
@format_option
def reveal_command(token: str, role: str, justification: str, approval_id: str | None, fmt: str | None) -> None:
    """Print the raw value(s) behind a pseudonym token such as user_3f9a1c2b7d4e.

    Every reveal is written to the audit log (the token, the justification and the number of
    matches, never the value), is rate-limited per identity and shows in `audit list --raw-access`.
    """
    result = reveal_token(app_context(), owner_actor(role), token, justification=justification, approval_id=approval_id)
    emit_rows(["class", "value"], result.matches, chosen_format(fmt))
    if not result.matches:
        click.echo("note: no stored value gives this token (another key, or not in this store)", err=True)


COMMANDS = [reveal_command]
