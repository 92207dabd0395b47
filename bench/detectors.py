"""Free-text detection: trailmask (SQL in DuckDB) vs Microsoft Presidio (pattern recognizers only).

Usage:
    .venv/bin/pip install presidio-analyzer          # bench only; no spaCy model is downloaded
    .venv/bin/python bench/detectors.py [--texts 20000] [--presidio-texts 3000] [--labelled 2000]

1. Throughput on the same texts: requestParameters (JSON), errorMessage and userAgent values of
   synthetic CloudTrail events (trailmask.synth). trailmask masks them in one DuckDB query with the
   investigator role's free-text expression (detect + mask); Presidio's AnalyzerEngine only
   *detects* (no anonymization), with its predefined pattern recognizers (NER removed) plus pattern
   recognizers for the AWS kinds it lacks, built from trailmask's own regular expressions, and a
   blank spaCy tokenizer as NLP engine (no model).
2. Precision and recall on a labelled sample: texts built from CloudTrail-like templates with
   sensitive values of every kind (positives) and look-alikes that are not sensitive (negatives:
   UUIDs, request ids, resource ids, versions, timestamps, hex digests, non-Luhn digit runs...).
   A positive counts as found when its value no longer appears (trailmask) or a result span
   overlaps it (Presidio); a negative counts as a false positive when it was changed / overlapped.
Not a test; the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import string
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb

from trailmask.masking.compiler import KEY_COLUMN, KEY_TABLE, key_expression
from trailmask.masking.detectors import DETECTORS
from trailmask.masking.loader import default_policy
from trailmask.masking.operators import MaskContext
from trailmask.masking.scanner import Scanner
from trailmask.sqlkit import expr as sx
from trailmask.sqlkit.render import to_sql
from trailmask.synth import generate_events

KEY = "bench-detectors-key-0123456789abcdef"


# ---------------------------------------------------------------- texts


def synthetic_texts(count: int) -> list[str]:
    texts: list[str] = []
    for event in generate_events(count, seed=5, days=7):
        for name in ("requestParameters", "responseElements"):
            if event.get(name):
                texts.append(json.dumps(event[name], separators=(",", ":")))
        for name in ("errorMessage", "userAgent"):
            if event.get(name):
                texts.append(str(event[name]))
        if len(texts) >= count:
            break
    return texts[:count]


# ---------------------------------------------------------------- labelled sample


def _rand(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _luhn_complete(rng: random.Random, prefix: str, length: int) -> str:
    digits = prefix + _rand(rng, string.digits, length - len(prefix) - 1)
    total = 0
    for i, d in enumerate(reversed(digits + "0")):
        n = int(d)
        if i % 2:
            n = n * 2 - 9 if n * 2 > 9 else n * 2
        total += n
    return digits + str((10 - total % 10) % 10)


def _not_luhn(number: str) -> str:
    """A digit run that fails the Luhn check (the last digit moved off its check value)."""
    return number[:-1] + str((int(number[-1]) + 5) % 10)


POSITIVES: dict[str, Callable[[random.Random], str]] = {
    "email": lambda r: (
        f"{_rand(r, string.ascii_lowercase, 6)}.{_rand(r, string.ascii_lowercase, 5)}"
        f"@{r.choice(['example.com', 'corp.example.org', 'mail.acme.io'])}"
    ),
    "ipv4": lambda r: ".".join(str(r.randint(1, 254)) for _ in range(4)),
    "ipv6": lambda r: ":".join(_rand(r, "0123456789abcdef", 4) for _ in range(8)),
    "access_key": lambda r: r.choice(["AKIA", "ASIA"]) + _rand(r, string.ascii_uppercase + "234567", 16),
    "secret_key": lambda r: _rand(r, string.ascii_letters + string.digits + "/+", 40),
    "session_token": lambda r: "IQoJb3JpZ2luX2Vj" + _rand(r, string.ascii_letters + string.digits + "/+", 120),
    "jwt": lambda r: (
        "eyJhbGciOiJIUzI1NiJ9.eyJ"
        + _rand(r, string.ascii_letters, 30)
        + "."
        + _rand(r, string.ascii_letters + "-_", 43)
    ),
    "card": lambda r: _luhn_complete(r, r.choice(["4", "51", "37"]), 16),
    "account_id": lambda r: str(r.randint(100000000000, 999999999999)),
    "arn": lambda r: f"arn:aws:iam::{r.randint(100000000000, 999999999999)}:role/{_rand(r, string.ascii_letters, 10)}",
    "api_token": lambda r: "".join(
        r.choice(c) for c in [string.ascii_uppercase, string.digits, string.ascii_lowercase] * 10
    ),
}
NEGATIVES: dict[str, Callable[[random.Random], str]] = {
    "uuid": lambda r: "-".join(_rand(r, "0123456789abcdef", n) for n in (8, 4, 4, 4, 12)),
    "instance_id": lambda r: "i-0" + _rand(r, "0123456789abcdef", 16),
    "security_group": lambda r: "sg-0" + _rand(r, "0123456789abcdef", 16),
    "version": lambda r: f"{r.randint(1, 3)}.{r.randint(0, 40)}.{r.randint(0, 300)}",
    "timestamp": lambda r: (
        f"2026-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}T{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:00Z"
    ),
    "sha256": lambda r: _rand(r, "0123456789abcdef", 64),
    "digits_not_card": lambda r: _not_luhn(_luhn_complete(r, "9", 16)),
    "region": lambda r: r.choice(["us-east-1", "eu-west-1", "ap-southeast-2"]),
    "bucket": lambda r: f"acme-{_rand(r, string.ascii_lowercase, 6)}-logs",
    "word": lambda r: r.choice(
        ["PutObject", "AccessDenied", "DescribeInstances", "ReadOnlyAccess", "AWSServiceRoleForSupport"]
    ),
}
TEMPLATES = (
    '{{"userName":"bob","note":"{p}","resourceId":"{n}"}}',
    '{{"parameters":{{"detail":"{p}"}},"requestId":"{n}"}}',
    "User: {p} is not authorized to perform: s3:GetObject on resource {n}",
    "aws-cli/{n} Python/3.11.8 contact {p}",
    '{{"items":[{{"value":"{n}"}},{{"value":"{p}"}}]}}',
    "Failed login from {p} at {n}",
)


@dataclass
class Labelled:
    text: str
    positive: tuple[str, str]  # (kind, value)
    negative: tuple[str, str]


def labelled_sample(count: int) -> list[Labelled]:
    rng = random.Random(20261126)
    sample = []
    for i in range(count):
        pkind = list(POSITIVES)[i % len(POSITIVES)]
        nkind = list(NEGATIVES)[i % len(NEGATIVES)]
        positive, negative = POSITIVES[pkind](rng), NEGATIVES[nkind](rng)
        template = TEMPLATES[i % len(TEMPLATES)]
        sample.append(Labelled(template.format(p=positive, n=negative), (pkind, positive), (nkind, negative)))
    return sample


# ---------------------------------------------------------------- trailmask


def trailmask_mask(texts: list[str]) -> tuple[list[str], float]:
    """Mask ``texts`` with the investigator role's free-text expression; (outputs, seconds)."""
    policy = default_policy()
    scanner = Scanner(MaskContext(key_expression(), policy.role("investigator")), policy.detectors, policy.json_keys)
    value = sx.column("v")
    event = {"eventSource": sx.lit("iam.amazonaws.com"), "eventName": sx.lit("UpdateUser")}
    expression = scanner.mask(scanner.prepare_json(value, event))
    connection = duckdb.connect(config={"threads": 2})
    connection.execute(f"SET VARIABLE {KEY_TABLE}__{KEY_COLUMN} = ?", [KEY])
    connection.execute("CREATE TABLE t AS SELECT unnest(?) AS v, generate_subscripts(?, 1) AS i", [texts, texts])
    sql = f"SELECT {to_sql(expression)} AS m FROM t ORDER BY i"
    started = time.perf_counter()
    outputs = [row[0] for row in connection.execute(sql).fetchall()]
    return outputs, time.perf_counter() - started


# ---------------------------------------------------------------- presidio


def presidio_engine() -> Any:
    import spacy
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngine

    class TokenizerOnly(NlpEngine):  # type: ignore[misc]
        """A blank spaCy tokenizer: no model, no NER (pattern recognizers only)."""

        def __init__(self) -> None:
            self.nlp = spacy.blank("en")

        def load(self) -> None: ...

        def is_loaded(self) -> bool:
            return True

        def process_text(self, text: str, language: str) -> Any:
            doc = self.nlp(text)
            return NlpArtifacts([], doc, [t.idx for t in doc], [t.lower_ for t in doc], self, language)

        def process_batch(self, texts: Any, language: str, batch_size: int = 1, n_process: int = 1, **kw: Any) -> Any:
            for text in texts:
                yield text, self.process_text(text, language)

        def is_stopword(self, word: str, language: str) -> bool:
            return False

        def is_punct(self, word: str, language: str) -> bool:
            return False

        def get_supported_entities(self) -> list[str]:
            return []

        def get_supported_languages(self) -> list[str]:
            return ["en"]

    class RandomToken(PatternRecognizer):  # type: ignore[misc]
        """trailmask's high_entropy confirmation, in Python (mixed case and digits, no word run)."""

        def validate_result(self, pattern_text: str) -> bool:
            counts = [sum(c.isupper() for c in pattern_text), sum(c.islower() for c in pattern_text)]
            counts.append(sum(c.isdigit() for c in pattern_text))
            mixed = all(n >= 1 for n in counts)
            key_shape = len(pattern_text) == 40 and mixed
            return key_shape or (min(counts) >= 2 and not re.search("[a-z]{5}", pattern_text))

    registry = RecognizerRegistry()
    registry.load_predefined_recognizers()
    # NER needs a model; dates and UUIDs are PII to Presidio but identifiers in CloudTrail.
    for name in ("SpacyRecognizer", "DateRecognizer", "UuidRecognizer"):
        registry.remove_recognizer(name)
    aws = ("access_key", "principal_id", "arn", "account_id", "jwt", "session_token", "private_key", "kv_secret")
    for detector in DETECTORS:  # the AWS kinds Presidio has no recognizer for, with trailmask's regexes
        pattern = Pattern(detector.name, detector.pattern.replace("\\x1f", ""), 0.6)
        if detector.name in aws:
            registry.add_recognizer(PatternRecognizer(supported_entity=detector.name.upper(), patterns=[pattern]))
        elif detector.name == "high_entropy":
            registry.add_recognizer(RandomToken(supported_entity="SECRET", patterns=[pattern]))
    return AnalyzerEngine(registry=registry, nlp_engine=TokenizerOnly(), supported_languages=["en"])


def presidio_spans(engine: Any, texts: list[str]) -> tuple[list[list[tuple[int, int]]], float]:
    started = time.perf_counter()
    spans = [[(r.start, r.end) for r in engine.analyze(text=text, language="en")] for text in texts]
    return spans, time.perf_counter() - started


# ---------------------------------------------------------------- scoring


def score_trailmask(sample: list[Labelled], outputs: list[str]) -> dict[str, Any]:
    found: dict[str, Counter[str]] = defaultdict(Counter)
    for item, out in zip(sample, outputs, strict=True):
        found[item.positive[0]]["hit" if item.positive[1] not in out else "miss"] += 1
        found[item.negative[0]]["fp" if item.negative[1] not in out else "ok"] += 1
    return _summary(found)


def score_presidio(sample: list[Labelled], spans: list[list[tuple[int, int]]]) -> dict[str, Any]:
    found: dict[str, Counter[str]] = defaultdict(Counter)
    for item, hits in zip(sample, spans, strict=True):
        for (kind, value), good, bad in ((item.positive, "hit", "miss"), (item.negative, "fp", "ok")):
            start = item.text.find(value)
            overlap = any(s < start + len(value) and e > start for s, e in hits)
            found[kind][good if overlap else bad] += 1
    return _summary(found)


def _summary(found: dict[str, Counter[str]]) -> dict[str, Any]:
    tp = sum(c["hit"] for c in found.values())
    fn = sum(c["miss"] for c in found.values())
    fp = sum(c["fp"] for c in found.values())
    per_kind = {
        k: (f"recall {c['hit']}/{c['hit'] + c['miss']}" if k in POSITIVES else f"fp {c['fp']}/{c['fp'] + c['ok']}")
        for k, c in sorted(found.items())
    }
    return {
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tp / (tp + fn) if tp + fn else 0.0,
        "per_kind": per_kind,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=int, default=20_000)
    parser.add_argument("--presidio-texts", type=int, default=3_000)
    parser.add_argument("--labelled", type=int, default=2_000)
    args = parser.parse_args()
    texts = synthetic_texts(args.texts)
    print(f"{len(texts)} texts, mean {sum(map(len, texts)) / len(texts):.0f} characters", file=sys.stderr)
    _, seconds = trailmask_mask(texts)
    trailmask_rate = len(texts) / seconds
    print(f"trailmask (DuckDB, detect + mask): {trailmask_rate:,.0f} texts/s ({len(texts)} in {seconds:.2f} s)")
    engine = presidio_engine()
    sub = texts[: args.presidio_texts]
    _, seconds = presidio_spans(engine, sub)
    presidio_rate = len(sub) / seconds
    print(f"Presidio (pattern recognizers, detect only): {presidio_rate:,.0f} texts/s ({len(sub)} in {seconds:.2f} s)")
    print(f"speed-up: {trailmask_rate / presidio_rate:.0f}x")
    sample = labelled_sample(args.labelled)
    outputs, _ = trailmask_mask([s.text for s in sample])
    spans, _ = presidio_spans(engine, [s.text for s in sample])
    for name, result in (("trailmask", score_trailmask(sample, outputs)), ("Presidio", score_presidio(sample, spans))):
        figures = f"precision {result['precision']:.3f}, recall {result['recall']:.3f}"
        print(f"{name}: {figures} on {len(sample)} labelled texts")
        for kind, figure in result["per_kind"].items():
            print(f"    {kind:16} {figure}")


if __name__ == "__main__":
    main()
