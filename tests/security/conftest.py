"""Fixtures of the attack suite: the server fixtures of tests/api (store, users, OIDC keys, client)."""

from tests.api.conftest import (  # noqa: F401 (fixtures re-exported for tests/security)
    client,
    ctx,
    custom_roles,
    jwks_file,
    loaded_store,
    make_jwt,
    rsa_key,
    tokens,
)
