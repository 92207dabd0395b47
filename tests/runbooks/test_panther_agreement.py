"""The Panther agreement figures stated in runbook files are what the labelled events give."""

from __future__ import annotations

from pathlib import Path

import pytest
from panther_agreement import context, labelled, measure

from trailmask.runbooks.catalog import load_catalog

MAPPED = [(r.id, m) for r in load_catalog() for m in r.panther]


def test_mapped_rules_exist_in_the_panther_data() -> None:
    assert len(MAPPED) >= 40
    for runbook_id, mapping in MAPPED:
        assert labelled(mapping.rule), f"{runbook_id}: no labelled events for {mapping.rule}"


@pytest.mark.slow
def test_stated_agreement_matches_measured(tmp_path: Path) -> None:
    ctx = context(tmp_path)
    catalog = load_catalog()
    wrong = []
    agree = total = 0
    for runbook_id, mapping in MAPPED:
        result = measure(ctx, catalog.get(runbook_id), mapping.rule, mapping.params)
        agree, total = agree + result.agree, total + result.total
        if (mapping.agree, mapping.total) != (result.agree, result.total):
            wrong.append(
                f"{runbook_id} / {mapping.rule}: states {mapping.agree}/{mapping.total}, "
                f"measured {result.agree}/{result.total} ({result.disagreements})"
            )
    assert not wrong, wrong
    assert agree / total >= 0.85
