"""The append-only, hash-chained audit log: one JSON object per line in ``<store>.audit.jsonl``.

Each entry carries ``seq`` (1, 2, ...), ``prev`` (the previous entry's ``hash``; 64 zeros for the
first) and ``hash`` = HMAC-SHA256(key, canonical JSON of every other field). Changing, removing,
reordering or inserting a line breaks a hash, a ``prev`` link or the ``seq`` order, and
:func:`verify` names the first entry where that happens. The key lives in ``<log>.key`` (created
0600 on first write) so that someone who can edit the log but not read the key cannot re-chain it;
``<log>.head`` records the last ``seq`` and ``hash`` with an HMAC under the same key (``mac``), so
that cutting entries off the end and rewriting the head shows too, and an append refuses to chain
onto a log that is shorter than its head. Against someone who holds the key, or who puts back a
head copied earlier, compare with a head recorded elsewhere (``audit verify --head``).

Writers (server threads and CLI processes) serialise on an exclusive ``flock`` of the log file;
each entry is written and ``fsync``'ed before :meth:`AuditLog.append` returns, and any failure
raises :class:`~trailmask.errors.AuditError` so that the request it records fails too.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from trailmask.errors import AuditError, IntegrityError

GENESIS = "0" * 64
_BLOCK = 64 * 1024


def canonical(obj: Mapping[str, Any]) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8")


def entry_hash(key: bytes, body: Mapping[str, Any]) -> str:
    """The HMAC of an entry without its own ``hash`` field."""
    return hmac.new(key, canonical({k: v for k, v in body.items() if k != "hash"}), hashlib.sha256).hexdigest()


def _text_safe(value: Any) -> Any:
    """``value`` with every string UTF-8 encodable: a lone surrogate becomes the text ``\\udXXX``."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, Mapping):
        return {_text_safe(k): _text_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_text_safe(v) for v in value]
    return value


def head_mac(key: bytes, seq: int, digest: str) -> str:
    """The HMAC that authenticates a head (``seq``, ``hash``); domain-separated from entry hashes."""
    return hmac.new(key, f"trailmask-audit-head\0{seq}\0{digest}".encode("ascii"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Head:
    """The head file: the last entry's ``seq`` and ``hash``, and the MAC over both (``""`` if absent)."""

    seq: int
    digest: str
    mac: str

    def authentic(self, key: bytes) -> bool:
        return bool(self.mac) and hmac.compare_digest(head_mac(key, self.seq, self.digest), self.mac)


def entry_id(entry: Mapping[str, Any]) -> str:
    return f"{entry['seq']}:{str(entry['hash'])[:16]}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class VerifyReport:
    """What :func:`verify` found; ``ok`` only when there are no problems."""

    entries: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head": f"{self.head_seq}:{self.head_hash}",
            "problems": self.problems,
        }


class AuditLog:
    """One audit log file and its key and head side files."""

    def __init__(self, path: Path, *, key_file: Path | None = None) -> None:
        self.path = Path(path)
        self.key_file = Path(key_file) if key_file else self.path.with_name(self.path.name + ".key")
        self.head_file = self.path.with_name(self.path.name + ".head")
        self._cache: tuple[int, int, str] | None = None  # (file size, seq, hash) after our last append
        self._lock = threading.Lock()

    # -- key -------------------------------------------------------------------------------------
    def _key(self, *, create: bool) -> bytes:
        try:
            return bytes.fromhex(self.key_file.read_text(encoding="ascii").strip())
        except FileNotFoundError:
            if not create:
                raise IntegrityError(
                    f"audit key {self.key_file} is missing", hint="the key is created with the log; restore it"
                ) from None
        except ValueError:
            raise IntegrityError(f"audit key {self.key_file} is not a hex key") from None
        self.key_file.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(self.key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return self._key(create=False)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        return self._key(create=False)

    # -- append ----------------------------------------------------------------------------------
    def append(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Write one entry (``seq``, ``ts``, ``prev``, ``hash`` are added) durably; AuditError on failure."""
        try:
            with self._lock, self._locked_file() as handle:
                key = self._key(create=True)
                seq, prev = self._tail(handle, key)
                self._check_head(key, seq, prev)
                entry: dict[str, Any] = {"seq": seq + 1, "ts": _now(), "prev": prev}
                given = {k: v for k, v in body.items() if k not in ("seq", "prev", "hash")}
                entry.update(_text_safe(given))
                entry["hash"] = entry_hash(key, entry)
                handle.seek(0, os.SEEK_END)
                handle.write(canonical(entry) + b"\n")
                handle.flush()
                os.fsync(handle.fileno())
                self._cache = (handle.tell(), entry["seq"], entry["hash"])
                self._write_head(entry["seq"], entry["hash"], key)
                return entry
        except AuditError:
            raise
        except (OSError, IntegrityError, ValueError) as exc:
            raise AuditError(
                f"could not write the audit log {self.path} ({type(exc).__name__})",
                hint="the request was refused; check the disk and run `trailmask audit verify`",
            ) from None

    @contextmanager
    def _locked_file(self) -> Iterator[IO[bytes]]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "r+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield handle
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _tail(self, handle: IO[bytes], key: bytes) -> tuple[int, str]:
        """(seq, hash) of the last entry; the last entry's own hash is checked before chaining to it."""
        size = os.fstat(handle.fileno()).st_size
        if size == 0:
            return 0, GENESIS
        if self._cache and self._cache[0] == size:
            return self._cache[1], self._cache[2]
        handle.seek(size - 1)
        if handle.read(1) != b"\n":
            raise AuditError(
                f"the audit log {self.path} ends with an incomplete entry",
                hint="run `trailmask audit verify`; the log is not appended to until it is repaired",
            )
        last = next(_reverse_lines(handle, size))
        entry = json.loads(last)
        if not hmac.compare_digest(entry_hash(key, entry), str(entry.get("hash"))):
            raise AuditError(
                f"the last entry of the audit log {self.path} does not match its hash",
                hint="run `trailmask audit verify`",
            )
        return int(entry["seq"]), str(entry["hash"])

    def _check_head(self, key: bytes, seq: int, digest: str) -> None:
        """Refuse to chain onto a log whose authentic head is ahead of its last entry (tail cut off).

        A head one entry behind is a write interrupted between the entry and the head. A head
        without a MAC (an older version's, or one rewritten by hand) is refused too: after
        ``audit verify`` finds nothing else wrong, ``audit verify --reseal`` authenticates it.
        """
        if self._cache and self._cache[1:] == (seq, digest):
            return
        try:
            head = self.read_head()
        except IntegrityError:
            head = None  # unreadable: rewritten below; `audit verify` reports it until then
        if head is None:
            if seq > 0:
                raise AuditError(
                    f"the audit log {self.path} has entries but its head file {self.head_file} is missing",
                    hint="run `trailmask audit verify`; the log is not appended to until it is checked",
                )
            return
        if not head.authentic(key):
            raise AuditError(
                f"the audit head {self.head_file} is not authentic (rewritten without the key)",
                hint="run `trailmask audit verify`",
            )
        if head.seq > seq or (head.seq == seq and head.digest != digest):
            raise AuditError(
                f"the audit log {self.path} ends at seq {seq} but its head says {head.seq} (entries cut off)",
                hint="run `trailmask audit verify`; restore the log from a backup",
            )

    def reseal(self, seq: int, digest: str) -> None:
        """Write an authenticated head for the last entry (``seq``, ``digest``) found by ``verify``."""
        try:
            with self._lock, self._locked_file() as handle:
                key = self._key(create=False)
                if self._tail(handle, key) != (seq, digest):
                    raise AuditError("the audit log changed while it was verified", hint="verify again")
                self._write_head(seq, digest, key)
        except (OSError, ValueError) as exc:
            raise AuditError(f"could not write the audit head {self.head_file} ({type(exc).__name__})") from None

    def _write_head(self, seq: int, digest: str, key: bytes) -> None:
        tmp = self.head_file.with_name(self.head_file.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(json.dumps({"seq": seq, "hash": digest, "mac": head_mac(key, seq, digest)}) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.head_file)

    # -- read ------------------------------------------------------------------------------------
    def read_head(self) -> Head | None:
        try:
            head = json.loads(self.head_file.read_text(encoding="ascii"))
            return Head(int(head["seq"]), str(head["hash"]), str(head.get("mac") or ""))
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError, AttributeError):
            raise IntegrityError(f"audit head file {self.head_file} is unreadable") from None

    def entries(self) -> Iterator[dict[str, Any]]:
        """Every entry, oldest first (unverified; use :func:`verify` to check)."""
        if not self.path.exists():
            return
        with self.path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    yield _parse(line, number, self.path)

    def newest(
        self, limit: int, *, before_seq: int | None = None, where: Callable[[Mapping[str, Any]], bool] | None = None
    ) -> list[dict[str, Any]]:
        """Up to ``limit`` entries, newest first, optionally only those with ``seq < before_seq``
        and for which ``where(entry)`` holds."""
        found: list[dict[str, Any]] = []
        if not self.path.exists() or limit <= 0:
            return found
        with self.path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            for line in _reverse_lines(handle, size):
                entry = _parse(line, 0, self.path)
                if (before_seq is None or int(entry.get("seq", 0)) < before_seq) and (where is None or where(entry)):
                    found.append(entry)
                    if len(found) >= limit:
                        break
        return found


def _parse(line: bytes, number: int, path: Path) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except ValueError:
        where = f"line {number}" if number else "a line"
        raise IntegrityError(
            f"{where} of the audit log {path} is not JSON", hint="run `trailmask audit verify`"
        ) from None
    if not isinstance(value, dict):
        raise IntegrityError(f"an entry of the audit log {path} is not an object")
    return value


def _reverse_lines(handle: IO[bytes], size: int) -> Iterator[bytes]:
    """The file's non-empty lines, last first, reading backwards in blocks."""
    position = size
    rest = b""
    while position > 0:
        step = min(_BLOCK, position)
        position -= step
        handle.seek(position)
        chunk = handle.read(step) + rest
        lines = chunk.split(b"\n")
        rest = lines[0]
        for line in reversed(lines[1:]):
            if line.strip():
                yield line
    if rest.strip():
        yield rest
