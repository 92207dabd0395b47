"""200 simultaneous connections to a real server: each gets an answer or a 503 with Retry-After (issue 11.4).

Never a 5xx other than 503, never a dropped connection: past ``serve.max_connections`` uvicorn
answers the busy 503 (api.hardening.busy_answer), past the query slots and ``serve.queue_wait_s``
the pool answers 503 ``busy``, both with Retry-After.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx
import pytest
from tests.api.conftest import OWNER
from tests.api.server import ServerProcess

from trailmask.config import Settings
from trailmask.service.context import AppContext
from trailmask.service.users import add_user

pytestmark = pytest.mark.slow
CONNECTIONS = 200
SERVE = {
    "rate_limit": {"per_second": 100000},
    "max_connections": 64,
    "max_concurrent_queries": 2,
    "queue_wait_s": 1.0,
}


async def _one(url: str, token: str, index: int) -> tuple[int, str | None, str]:
    """One request on its own connection (a fresh client each: no connection is shared)."""
    sql = f"SELECT eventSource, count(*) AS n FROM events a WHERE eventName <> 'x{index}' GROUP BY 1"
    async with httpx.AsyncClient(timeout=120) as http:
        try:
            headers = {"Authorization": f"Bearer {token}"}
            response = await http.post(f"{url}/api/sql", json={"sql": sql}, headers=headers)
        except httpx.HTTPError as exc:
            return -1, None, type(exc).__name__
        return response.status_code, response.headers.get("retry-after"), response.text[:200]


async def _burst(url: str, tokens: list[str]) -> list[tuple[int, str | None, str]]:
    return await asyncio.gather(*(_one(url, tokens[i % len(tokens)], i) for i in range(CONNECTIONS)))


def test_two_hundred_connections_get_an_answer_or_a_retry_after(loaded_store: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    db.write_bytes(loaded_store.read_bytes())
    ctx = AppContext.from_settings(Settings(db=db))
    tokens = [add_user(ctx, OWNER, f"inv{i}", "investigator")[1] for i in range(20)]
    with ServerProcess(db, SERVE) as server:
        answers = asyncio.run(_burst(server.url, tokens))
        after = httpx.post(
            f"{server.url}/api/sql",
            json={"sql": "SELECT count(*) AS n FROM events"},
            headers={"Authorization": f"Bearer {tokens[0]}"},
            timeout=60,
        )
    statuses = Counter(status for status, _, _ in answers)
    assert set(statuses) <= {200, 503}, [a for a in answers if a[0] not in (200, 503)][:5]
    assert statuses[200] > 0, statuses
    busy = [a for a in answers if a[0] == 503]
    assert all(retry and int(retry) >= 1 for _, retry, _ in busy), busy[:3]
    assert all('"error":"busy"' in text.replace(" ", "") for _, _, text in busy), busy[:3]
    assert after.status_code == 200, "the server still answers after the burst"
