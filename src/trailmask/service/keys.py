"""Where the masking key comes from (read once per AppContext, held as a Secret).

First found wins:

1. environment variable ``TRAILMASK_MASKING_KEY`` (the key itself, at least 16 characters);
2. ``settings.masking_key_file`` (config ``masking_key_file:`` / TRAILMASK_MASKING_KEY_FILE);
3. ``<store path>.key``, created on first use with 32 random bytes (hex), mode 0600, and only
   when the store exists (never beside a store that is not there).

The key leaves the context only into a query session's temporary table (see service.prepare); it
is never logged, printed or put in SQL text. Rotation (docs/masking.md): point the key elsewhere or
delete the generated file; every token changes, tokens issued before can no longer be revealed
unless the old key is kept.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from trailmask.config import Secret, Settings
from trailmask.errors import ConfigError

KEY_ENV = "TRAILMASK_MASKING_KEY"
MIN_KEY_CHARS = 16


def default_key_path(settings: Settings) -> Path:
    return Path(f"{settings.db}.key")


def _read_key_file(path: Path, origin: str) -> Secret:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise ConfigError(f"masking key file {path} ({origin}) does not exist") from None
    except OSError as exc:
        raise ConfigError(f"cannot read masking key file {path}: {exc.strerror}") from None
    if len(text) < MIN_KEY_CHARS:
        raise ConfigError(f"masking key file {path} holds fewer than {MIN_KEY_CHARS} characters")
    return Secret(text)


def _generate_key_file(path: Path) -> Secret:
    """Create ``path`` with a new random key (mode 0600); if another process won the race, read it.

    The key is written to a private temporary file first and then hard-linked into place, so a
    concurrent reader sees either no file or the whole key, never an empty file being written.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_hex(32) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temporary, path)
    except FileExistsError:
        return _read_key_file(path, "created concurrently")
    except OSError as exc:
        raise ConfigError(
            f"cannot create the masking key file {path}: {exc.strerror}",
            hint=f"set {KEY_ENV} or masking_key_file, or make the store's folder writable",
        ) from None
    finally:
        temporary.unlink(missing_ok=True)
    return _read_key_file(path, "just created")


def read_masking_key(settings: Settings) -> Secret:
    """The keyed-pseudonym key (see the module docstring for where it comes from)."""
    from_env = os.environ.get(KEY_ENV)
    if from_env:
        if len(from_env) < MIN_KEY_CHARS:
            raise ConfigError(f"{KEY_ENV} must hold at least {MIN_KEY_CHARS} characters")
        return Secret(from_env)
    if settings.masking_key_file:
        return _read_key_file(settings.masking_key_file, "masking_key_file")
    path = default_key_path(settings)
    if path.exists():
        return _read_key_file(path, "generated")
    if not Path(settings.db).exists():  # never a second key beside a store that is not there (issue 16.5)
        raise ConfigError(
            f"no masking key: the store {settings.db} does not exist, and a key is only created beside a store",
            hint=f"point --db at the store, or set {KEY_ENV} or masking_key_file",
        )
    return _generate_key_file(path)
