"""Regular expressions written for RE2 (DuckDB), made safe for backtracking engines (Java, Joni).

RE2 matches in linear time without recursion. Java's ``java.util.regex`` (Spark) and Joni (Trino)
backtrack, and Java recurses once per iteration of a repeated group that holds an alternation:
the detectors' JSON-string pattern ``"(?:[^"\\]|\\.)*"`` overflows the stack on a few kilobytes of
request parameters (and a task thread's StackOverflowError can take the whole local JVM down).

The fix is the classic "unrolled loop": ``(?:C|Y)*`` with ``C`` a negated character class becomes
``C*(?:YC*)*``, the same language, where the inner repetition recurses only once per ``Y`` (an
escape, a nested ``{...}`` or ``[...]``), not once per character. The rewrite is applied only
where ``Y`` starts with a character ``C`` excludes, so at each position at most one branch can
match and greedy matching finds the same match as before.
"""

from __future__ import annotations

import re

# A negated class ``[^...]`` (escapes allowed inside), captured whole.
_CLASS = r"\[\^(?:\\.|[^\]\\])*\]"
# The second branch: ``\\.`` (an escaped character), or ``\{[^...]*\}`` / ``\[[^...]*\]``.
_BRANCH = rf"\\\\\.|\\\{{{_CLASS}\*\\\}}|\\\[{_CLASS}\*\\\]"
_LOOP = re.compile(rf"\(\?:(?P<c>{_CLASS})\|(?P<y>{_BRANCH})\)\*")
# First character of each branch form, and how a negated class spells it when it excludes it.
_EXCLUDES = {"\\\\": "\\\\", "\\{": "{", "\\[": "\\["}


def _unroll(match: re.Match[str]) -> str:
    char_class, branch = match.group("c"), match.group("y")
    excluded = _EXCLUDES[branch[:2]]
    if excluded not in char_class[2:-1]:
        return match.group(0)  # the branches could overlap: leave the pattern as written
    return f"{char_class}*(?:{branch}{char_class}*)*"


def unroll_loops(pattern: str) -> str:
    """``pattern`` with every ``(?:[^...]|Y)*`` loop unrolled (see the module docstring)."""
    return _LOOP.sub(_unroll, pattern)
