"""A real Spark standalone cluster for the tests: one master and N workers on 127.0.0.1.

Started from the installed pyspark with its own launcher (``bin/spark-class``), each daemon in
its own process group with its logs, work and configuration folders under a temporary folder,
on free ports; :func:`stop_cluster` ends the groups (executors are the workers' children). Sized
for a small shared machine: each worker offers one core and ``worker_memory``; daemons get a
256 MB heap.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

MASTER = "org.apache.spark.deploy.master.Master"
WORKER = "org.apache.spark.deploy.worker.Worker"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


@dataclass
class Cluster:
    url: str  # spark://127.0.0.1:PORT
    ui: str  # the master's web UI (its /json/ page lists the workers)
    root: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def state(self) -> dict[str, object]:
        with urllib.request.urlopen(f"{self.ui}/json/", timeout=5) as answer:
            state: dict[str, object] = json.load(answer)
        return state

    def alive_workers(self) -> int:
        workers = self.state().get("workers", [])
        listed = workers if isinstance(workers, list) else []
        return sum(1 for w in listed if isinstance(w, dict) and w.get("state") == "ALIVE")

    def logs(self) -> str:
        logs = sorted(self.root.glob("*.log"))
        return "\n".join(f"== {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in logs)


def _launch(cluster: Cluster, name: str, args: list[str]) -> None:
    env = {
        **os.environ,
        "SPARK_HOME": str(spark_home()),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_CONF_DIR": str(cluster.root / "conf"),
        "SPARK_LOG_DIR": str(cluster.root / "logs"),
        "SPARK_WORKER_DIR": str(cluster.root / f"work-{name}"),
        "SPARK_DAEMON_MEMORY": "256m",
        "SPARK_NO_DAEMONIZE": "1",
    }
    log = (cluster.root / f"{name}.log").open("wb")
    launcher = str(spark_home() / "bin" / "spark-class")
    process = subprocess.Popen([launcher, *args], stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    log.close()
    cluster.processes.append(process)


def start_cluster(root: Path, *, workers: int = 2, worker_memory: str = "1g", timeout_s: float = 120.0) -> Cluster:
    """A master and ``workers`` workers (one core each), returned once every worker is ALIVE."""
    (root / "conf").mkdir(parents=True, exist_ok=True)
    port, ui_port = free_port(), free_port()
    cluster = Cluster(f"spark://127.0.0.1:{port}", f"http://127.0.0.1:{ui_port}", root)
    _launch(cluster, "master", [MASTER, "--host", "127.0.0.1", "--port", str(port), "--webui-port", str(ui_port)])
    for index in range(workers):
        work = root / f"work-{index}"
        work.mkdir(exist_ok=True)
        _launch(
            cluster,
            f"worker-{index}",
            [
                WORKER,
                "--host", "127.0.0.1",
                "--webui-port", str(free_port()),
                "--cores", "1",
                "--memory", worker_memory,
                "--work-dir", str(work),
                cluster.url,
            ],
        )  # fmt: skip
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in cluster.processes):
            break
        try:
            if cluster.alive_workers() == workers:
                return cluster
        except OSError:
            pass  # the master is not listening yet
        time.sleep(0.5)
    logs = cluster.logs()
    stop_cluster(cluster)
    raise RuntimeError(f"the Spark cluster did not start within {timeout_s:g} s\n{logs}")


def stop_cluster(cluster: Cluster, *, grace_s: float = 15.0) -> None:
    """End every daemon's process group (workers first, so they do not re-register), then wait."""
    for process in reversed(cluster.processes):
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    for process in cluster.processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
