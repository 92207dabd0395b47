"""How a free-text or JSON value is scanned by the detectors, in SQL (the patterns: detectors.py).

1. Preparation (:meth:`Scanner.prepare_json`, :meth:`Scanner.prepare_text`): objects and arrays
   under a secret JSON key are redacted whole, at any depth; bare JSON numbers of 12+ digits are
   quoted; event-specific JSON key rules are applied.
2. Pass 1, confirmation: one ``regexp_extract_all`` with every alternative in priority order (at a
   given position the first listed wins, so an ARN is taken whole before the account id in it).
   Candidates of the detectors that confirm (card: Luhn; high_entropy) are masked when confirmed
   and wrapped in a separator no pattern crosses. Nothing else changes: a candidate that fails its
   confirmation is left as it was, so pass 2 scans its text again, at every position.
3. Pass 2: the same with the alternatives that need no confirmation, on pass 1's result: distinct
   matches, longest first (a match inside a longer one must not be replaced first), each replaced
   by its masked form, chosen by the first alternative that fully matches it.

A failed confirmation therefore never keeps text other detectors would mask
(``Access to account 210987654321 2024``: the card candidate fails Luhn, the account id is found).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial

from trailmask.masking.detectors import (
    PROTECT,
    Alternative,
    alternatives,
    confirmed_replacement,
    key_names,
    replacement,
)
from trailmask.masking.model import JsonKeyRule
from trailmask.masking.operators import MaskContext
from trailmask.sqlkit import expr as sx
from trailmask.sqlkit.expr import Expr

Replacement = Callable[[Expr, Sequence[Alternative]], Expr]


def let(value: Expr, name: str, body: Callable[[Expr], Expr]) -> Expr:
    """``body(value)`` with ``value`` computed once: a fold over a one-element list whose initial
    value is ``value`` (``name`` must be unique among the lambdas it nests in). Without it, each
    use would copy the whole expression of ``value`` into the SQL."""
    return sx.reduce_list(sx.array([sx.lit(0)]), value, name, f"{name}_x", body(sx.var(name)))


def _pattern(found: Sequence[Alternative]) -> str:
    return "|".join(f"(?:{alt.pattern})" for alt in found)


class Scanner:
    """The detectors and JSON key rules of one role, as SQL.

    :meth:`mask` rewrites one value inline; :meth:`lookup` masks every distinct text of a set at
    once (the compiler's path). Event-specific JSON key rules run first, on prepared values only,
    and only for the events they name.
    """

    def __init__(self, ctx: MaskContext, enabled: Sequence[str], rules: Sequence[JsonKeyRule]) -> None:
        self.ctx = ctx
        self.conditional = [r for r in rules if r.conditional]
        unconditional = [r for r in rules if not r.conditional]
        self.alternatives = alternatives(unconditional, enabled, ctx)
        self.plain = [alt for alt in self.alternatives if alt.confirm is None]
        self.confirming = len(self.plain) < len(self.alternatives)
        self.secret_keys = tuple(key for rule in unconditional if rule.cls == "secret" for key in rule.keys)

    @property
    def active(self) -> bool:
        return bool(self.alternatives)

    def _passes(self) -> list[tuple[Sequence[Alternative], Replacement]]:
        passes: list[tuple[Sequence[Alternative], Replacement]] = []
        if self.confirming:
            # Detectors only: JSON key rules cannot hold a position a confirming detector needs
            # (their matches start with a quote); a secret they would mask is masked either way.
            detectors = [alt for alt in self.alternatives if not alt.json_rule]
            passes.append((detectors, partial(confirmed_replacement, allow=self.ctx.allow)))
        if self.plain:
            passes.append((self.plain, partial(replacement, allow=self.ctx.allow)))
        return passes

    def mask(self, text: Expr) -> Expr:
        """``text`` (prepared) with every finding masked, computed inline (NULL stays NULL)."""
        for found, replace in self._passes():
            text = Scanner.apply(text, _mapping(sx.regexp_extract_all(text, _pattern(found)), found, replace))
        return sx.replace(text, sx.lit(PROTECT), sx.lit("")) if self.confirming else text

    def lookup(self, texts: Expr, name: str) -> list[tuple[str, Expr]]:
        """CTEs masking every distinct text of ``texts`` (a query of one column ``v``), the last
        named ``name`` with columns ``v`` (text) and ``r`` (masked text): one set-based pass
        (:func:`_lookup_pass`) per scan pass, the second over the distinct results of the first."""
        ctes: list[tuple[str, Expr]] = []
        source, previous = texts, None
        for index, (found, replace) in enumerate(self._passes()):
            step = f"{name}_{index}"
            ctes += _lookup_pass(source, step, found, replace)
            if previous is not None:  # back to the original texts
                joined = sx.select(
                    [sx.column("v", previous), sx.alias(sx.column("r", step), "r")],
                    sx.table(previous),
                    joins=[(sx.table(step), sx.eq(sx.column("v", step), sx.column("r", previous)))],
                )
                ctes.append((f"{step}_j", joined))
                step = f"{step}_j"
            source = sx.select([sx.alias(sx.column("r"), "v")], sx.table(step), distinct=True)
            previous = step
        if previous is None:
            return [(name, sx.select([sx.column("v"), sx.alias(sx.column("v"), "r")], sx.subquery(texts, "tm_q")))]
        result = sx.column("r", previous)
        if self.confirming:
            result = sx.replace(result, sx.lit(PROTECT), sx.lit(""))
        ctes.append((name, sx.select([sx.column("v", previous), sx.alias(result, "r")], sx.table(previous))))
        return ctes

    @staticmethod
    def apply(text: Expr, mapping: Expr) -> Expr:
        """``text`` with each mapped match replaced (NULL stays NULL)."""
        pair = sx.var("tm_p")
        body = sx.replace(sx.var("tm_acc"), sx.field(pair, "m"), sx.field(pair, "r"))
        return sx.reduce_list(mapping, text, "tm_acc", "tm_p", body)

    def _redacts_containers(self) -> bool:
        return bool(self.secret_keys) and self.ctx.role.operator_for("secret").name != "keep"

    def prepare_text(self, text: Expr) -> Expr:
        """A plain-text value before the scan: JSON inside it loses its secret containers too."""
        if not self._redacts_containers():
            return text
        guard = sx.regexp_like(text, _opens_container(self.secret_keys))
        redacted = let(text, "tm_v0", partial(redact_secret_containers, keys=self.secret_keys))
        return sx.case([(guard, redacted)], text)

    def prepare_json(self, text: Expr, event: Mapping[str, Expr]) -> Expr:
        """A JSON value before the scan: secret containers redacted, big bare numbers quoted,
        event-specific keys masked.

        One cheap test per value (a regular expression, the event's source and name) decides
        whether any step applies; only those values go through the steps, each computed once.
        """
        steps: list[Callable[[Expr], Expr]] = []
        patterns = [BIG_NUMBER]
        if self._redacts_containers():
            steps.append(partial(redact_secret_containers, keys=self.secret_keys))
            patterns.append(_opens_container(self.secret_keys))
        steps.append(quote_big_numbers)
        applies = [_event_condition(rule, event) for rule in self.conditional]
        if self.ctx.role.operator_for("secret").name != "keep":
            for rule, applied in zip(self.conditional, applies, strict=True):
                if rule.cls == "secret":
                    steps.append(
                        partial(_when, applied=applied, step=partial(redact_secret_containers, keys=rule.keys))
                    )
        if self.conditional:
            steps.append(
                partial(_when, applied=sx.or_(*applies), step=partial(self._conditional_keys, applies=applies))
            )
        guard = sx.or_(*(sx.regexp_like(text, pattern) for pattern in patterns), *applies)
        return sx.case([(guard, _chain(text, steps))], text)

    def _conditional_keys(self, text: Expr, applies: Sequence[Expr]) -> Expr:
        """Event-specific JSON key rules, each only in the events it names."""
        found = alternatives(self.conditional, (), self.ctx)
        match = sx.var("tm_m")
        branches = [
            (sx.and_(cond, sx.regexp_like(match, f"^(?:{alt.pattern})$")), alt.replace(match) or match)
            for cond, alt in zip(applies, found, strict=True)
        ]
        body = sx.replace(sx.var("tm_acc"), match, sx.coalesce(sx.case(branches, match), sx.lit("[REDACTED]")))
        return sx.reduce_list(sx.regexp_extract_all(text, _pattern(found)), text, "tm_acc", "tm_m", body)


def _mapping(matches: Expr, found: Sequence[Alternative], replace: Replacement) -> Expr:
    """``[{m, r}]``: distinct matches, longest first, with their masked forms (unchanged dropped)."""
    match, pair = sx.var("tm_m"), sx.var("tm_p")
    keyed = sx.transform(matches, "tm_m", sx.concat(sx.lpad(sx.cast(sx.length(match), "VARCHAR"), 6, "0"), match))
    ordered = sx.transform(sx.sort_list_desc(sx.distinct_list(keyed)), "tm_m", sx.substr(match, 7))
    pairs = sx.transform(ordered, "tm_m", sx.struct([("m", match), ("r", replace(match, found))]))
    return sx.filter_list(pairs, "tm_p", sx.not_(sx.eq(sx.field(pair, "m"), sx.field(pair, "r"))))


def _lookup_pass(texts: Expr, name: str, found: Sequence[Alternative], replace: Replacement) -> list[tuple[str, Expr]]:
    """One scan pass, set-based, for many texts: the findings of all texts become rows, each
    distinct finding is masked once (vectorised, not inside a per-row lambda), then gathered back
    per text, longest first, and replaced. Findings repeat across texts (ARNs, accounts,
    addresses), so the costly part runs far fewer times than there are findings."""
    t, o, n, p = (f"{name}_{part}" for part in "tonp")
    extracted = sx.unnest(sx.regexp_extract_all(sx.column("v", t), _pattern(found)))
    matches = sx.select([sx.column("v", t), sx.alias(extracted, "m")], sx.table(t))
    distinct = sx.select([sx.column("m")], sx.table(o), distinct=True)
    match = sx.column("m", "tm_q")
    masked = sx.select([match, sx.alias(replace(match, found), "r")], sx.subquery(distinct, "tm_q"))
    entry = sx.struct([("l", sx.length(sx.column("m", o))), ("m", sx.column("m", o)), ("r", sx.column("r", n))])
    changed = sx.not_(sx.eq(sx.column("m", o), sx.column("r", n)))
    pairs = sx.select(
        [sx.column("v", o), sx.alias(sx.array_agg(entry, changed), "map")],
        sx.table(o),
        joins=[(sx.table(n), sx.eq(sx.column("m", o), sx.column("m", n)))],
        group_by=[sx.column("v", o)],
    )
    text = sx.column("v", t)
    replaced = sx.coalesce(Scanner.apply(text, sx.sort_list_desc(sx.column("map", p))), text)
    final = sx.select(
        [text, sx.alias(replaced, "r")], sx.table(t), joins=[(sx.table(p), sx.eq(sx.column("v", p), text))]
    )
    return [(t, texts), (o, matches), (n, masked), (p, pairs), (name, final)]


def _event_condition(rule: JsonKeyRule, event: Mapping[str, Expr]) -> Expr:
    conditions = []
    if rule.event_sources:
        conditions.append(sx.in_(event["eventSource"], rule.event_sources))
    if rule.event_names:
        conditions.append(sx.in_(event["eventName"], rule.event_names))
    return sx.and_(*conditions)


# A JSON object or array holding no other (strings are skipped whole: brackets inside them do
# not count). Containers already folded are spelled with the control characters below.
_FLAT = r'(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*'
_FOLD = {"{": "\x02", "}": "\x03", "[": "\x04", "]": "\x05"}


def _opens_container(keys: Sequence[str]) -> str:
    return rf'"(?i:{key_names(keys)})"\s*:\s*[\[{{]'


def _when(value: Expr, applied: Expr, step: Callable[[Expr], Expr]) -> Expr:
    return sx.case([(applied, step(value))], value)


def _chain(value: Expr, steps: Sequence[Callable[[Expr], Expr]], index: int = 0) -> Expr:
    """``steps`` applied in turn, each to the previous result bound once (see :func:`let`). Each
    binding is the *initial value* of the next, never inside its lambda: DuckDB binds a lambda's
    body again for every lambda it is nested in, so nesting bodies would cost twice per level."""
    for position, step in enumerate(steps, start=index):
        value = let(value, f"tm_v{position}", step)
    return value


def redact_secret_containers(value: Expr, keys: Sequence[str]) -> Expr:
    """Objects and arrays under these keys become ``"[REDACTED:json_key]"``, at any depth.

    Bottom-up, with no depth limit: each round folds the innermost containers (their brackets
    replaced by control characters, so their parent becomes innermost) and redacts a secret key's
    container as soon as it is innermost. A text has no more nesting levels than brackets, so one
    round per opening bracket always reaches the top; the brackets are restored at the end. Only
    texts where a secret key opens a container pay for it. ``value`` is used several times: pass
    a bound value (:func:`let`).
    """
    names = key_names(keys)
    secret = rf'("(?i:{names})"\s*:\s*)(?:\{{{_FLAT}\}}|\[{_FLAT}\])'
    redacted = r'\1"[REDACTED:json_key]"'
    acc: Expr = sx.var("tm_acc")
    for opener, closer in (("{", "}"), ("[", "]")):
        acc = sx.regexp_replace(acc, secret, redacted)
        inner = rf"\{opener}({_FLAT})\{closer}"
        acc = sx.regexp_replace(acc, inner, f"{_FOLD[opener]}\\1{_FOLD[closer]}")
    acc = sx.regexp_replace(acc, secret, redacted)
    rounds = sx.reduce_list(sx.regexp_extract_all(value, r"[\[{]"), value, "tm_acc", "tm_b", acc)
    restored = sx.translate(rounds, "".join(_FOLD.values()), "".join(_FOLD))
    return sx.case([(sx.regexp_like(value, _opens_container(keys)), restored)], value)


# A JSON string (skipped whole: digits inside it are not numbers), any other run, or a lone quote.
_JSON_PIECES = r'"(?:[^"\\]|\\.)*"|[^"]+|"'


BIG_NUMBER = r"[:\[,]\s*-?[0-9]{12}"


def quote_big_numbers(value: Expr) -> Expr:
    """Quote JSON numbers of 12+ digits (account ids stored as numbers), so masking them keeps the
    JSON valid. The text is cut into strings and the runs between them; only runs are rewritten,
    so the same digits inside a string are never touched (the whole value stays valid JSON).
    ``value`` is used several times: pass a bound value (:func:`let`)."""
    piece = sx.var("tm_n")
    number = r"([:\[,]\s*)(-?[0-9]{12,}[0-9.eE+-]*)"
    quoted = sx.case([(sx.starts_with(piece, '"'), piece)], sx.regexp_replace(piece, number, '\\1"\\2"'))
    rebuilt = sx.join_list(sx.transform(sx.regexp_extract_all(value, _JSON_PIECES), "tm_n", quoted), sx.lit(""))
    return sx.case([(sx.regexp_like(value, BIG_NUMBER), rebuilt)], value)
