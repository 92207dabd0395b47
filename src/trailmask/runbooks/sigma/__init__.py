"""Sigma rules (https://sigmahq.io) compiled to runbooks.

pySigma parses a rule and resolves its condition (``1 of selection_*``, ``all of``, ``not``) into a
tree of field comparisons; :mod:`.compile` turns that tree into a SQL predicate over the
``events`` relation, :mod:`.fields` maps Sigma field paths to CloudTrail columns, and
:mod:`.convert` writes the runbook, crediting the rule's author as the Detection Rule License
(DRL 1.1) requires: in the runbook's credits and in a ``sigma_author`` column of every result row.
"""
