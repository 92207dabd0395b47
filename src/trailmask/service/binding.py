"""A Parquet dataset is bound to one masking key and one audit log (issue 16.5: no silent second key).

``trailmask export --format parquet`` records, in the dataset's manifest (trailmask.export.manifest),
the fingerprint of the key it ran with, where that key came from, the audit log it wrote to and
the store it read. A run over the dataset (``--engine spark --dataset DIR``) gets its key through
:func:`bound_key`, which refuses before anything is written (no key file, no audit log):

- a dataset that is not a folder, or that has no manifest;
- no key at all (the run's store does not exist, so no key is beside it, and none is configured):
  the message names the store and key the dataset was written with;
- another key (its fingerprint differs): both fingerprints and origins are named;
- another audit log, or the dataset's audit log missing (an audit log is never created for it).

The fingerprint is HMAC-SHA256 of a fixed label under the key, 16 hex digits: it identifies the
key and reveals nothing of it (pseudonym tokens, which every masked role sees, already are keyed
hashes of known inputs).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from trailmask.config import Secret, Settings
from trailmask.errors import ConfigError, Conflict
from trailmask.export.manifest import MANIFEST_NAME, DatasetManifest, read_manifest
from trailmask.service.keys import KEY_ENV, default_key_path, read_masking_key

FINGERPRINT_LABEL = b"trailmask masking key fingerprint v1"


def key_fingerprint(key: Secret) -> str:
    """16 hex digits identifying ``key`` (an HMAC under it; the key cannot be derived from it)."""
    return hmac.new(key.reveal().encode("utf-8"), FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[:16]


def _absolute(path: Path) -> Path:
    return Path(path).expanduser().resolve()


def key_file(settings: Settings) -> Path | None:
    """The file :func:`~trailmask.service.keys.read_masking_key` reads the key from (None: the environment)."""
    if os.environ.get(KEY_ENV):
        return None
    return _absolute(settings.masking_key_file or default_key_path(settings))


def key_origin(settings: Settings) -> str:
    """Where the key comes from, in words."""
    path = key_file(settings)
    return f"the environment variable {KEY_ENV}" if path is None else f"the key file {path}"


def export_manifest(
    settings: Settings, key: Secret, audit_log: Path, role: str, profile: str, directory: Path
) -> DatasetManifest:
    """The manifest an export into ``directory`` writes; Conflict if the folder holds another binding.

    ``--overwrite`` replaces only the partitions it writes, so a dataset written with another key,
    another audit log or for another role would end up mixing them: refused.
    """
    manifest = DatasetManifest(
        key_fingerprint=key_fingerprint(key),
        key_origin=key_origin(settings),
        key_file=str(key_file(settings) or ""),
        audit_log=str(_absolute(audit_log)),
        store=str(_absolute(settings.db)),
        role=role,
        profile=profile,
    )
    existing = read_manifest(directory)
    if existing is not None:
        mine = (manifest.key_fingerprint, manifest.audit_log, manifest.role)
        if (existing.key_fingerprint, existing.audit_log, existing.role) != mine:
            raise Conflict(
                f"dataset {directory} was written for role {existing.role} with the masking key of fingerprint "
                f"{existing.key_fingerprint} and the audit log {existing.audit_log}; this export would mix "
                f"in role {role}, key {manifest.key_fingerprint}, audit log {manifest.audit_log}",
                hint="export into an empty directory",
            )
    return manifest


def _use(manifest: DatasetManifest) -> str:
    if manifest.key_file:
        return f"run with --db {manifest.store} (its key and audit log), or set masking_key_file: {manifest.key_file}"
    return f"run with --db {manifest.store} and {KEY_ENV} set to the key the export ran with"


def _manifest(settings: Settings) -> tuple[Path, DatasetManifest]:
    if settings.dataset is None:
        raise ConfigError(
            "--engine spark needs --dataset DIR (env TRAILMASK_DATASET)",
            hint="write the dataset with `trailmask export --format parquet DIR`",
        )
    directory = _absolute(settings.dataset)
    if not directory.is_dir():
        raise ConfigError(
            f"dataset {directory} is not a directory",
            hint="write one with `trailmask export --format parquet DIR` and pass --dataset DIR",
        )
    manifest = read_manifest(directory)
    if manifest is None:
        raise ConfigError(
            f"dataset {directory} does not say which masking key and audit log it belongs to (no {MANIFEST_NAME})",
            hint="re-export it from its store: trailmask --db STORE export --format parquet DIR --overwrite",
        )
    return directory, manifest


def bound_key(settings: Settings, audit_log: Path) -> Secret:
    """The masking key for a run over ``settings.dataset``, checked against the dataset's manifest."""
    return bind(settings, audit_log)[0]


def bind(settings: Settings, audit_log: Path) -> tuple[Secret, DatasetManifest]:
    """:func:`bound_key` and the manifest it was checked against (whose role the dataset holds)."""
    directory, manifest = _manifest(settings)
    try:
        key = read_masking_key(settings)
    except ConfigError as exc:
        raise ConfigError(
            f"no masking key for dataset {directory} ({exc}); it was written with the key of fingerprint "
            f"{manifest.key_fingerprint} ({manifest.key_origin}, store {manifest.store})",
            hint=_use(manifest),
        ) from None
    found = key_fingerprint(key)
    if not hmac.compare_digest(found, manifest.key_fingerprint):
        raise ConfigError(
            f"the masking key from {key_origin(settings)} (fingerprint {found}) is not the key dataset "
            f"{directory} was written with (fingerprint {manifest.key_fingerprint}, {manifest.key_origin}); "
            "pseudonyms would differ from the store's",
            hint=_use(manifest),
        )
    audit = _absolute(audit_log)
    if str(audit) != manifest.audit_log:
        raise ConfigError(
            f"dataset {directory} belongs to the audit log {manifest.audit_log}; this run would write to {audit}",
            hint=f"run with --db {manifest.store}, or set audit: {{path: {manifest.audit_log}}}",
        )
    if not audit.is_file():
        raise ConfigError(
            f"the audit log {audit} of dataset {directory} does not exist (an audit log is never created for a "
            "dataset)",
            hint="restore the audit log, or re-export the dataset from its store",
        )
    return key, manifest
