"""Runbooks (L2): the model, YAML loader, typed parameters, binding, lint, fixtures, docs and Sigma import."""
