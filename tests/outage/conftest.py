"""Real outages: a Redis of our own that we stop and start, and real Celery workers.

The shared Redis of the machine is never stopped: each test starts its own
``redis-server`` on a free port. The product runs in subprocesses configured like
production (smarketing.settings, not the eager test settings) against the test database,
so the data a test creates must be committed (transactional tests).
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.postgres]

needs_outage_tools = pytest.mark.skipif(
    connection.vendor != "postgresql" or shutil.which("redis-server") is None,
    reason="Outage tests need PostgreSQL (processes share the test database) and redis-server.",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own, on a port nobody else uses."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def product_env(tmp_path):
    """Environment for a subprocess running the product on the test database."""
    database = connection.settings_dict
    mail = tmp_path / "mail"
    mail.mkdir()

    def make(broker_url: str, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="smarketing.settings",
            DJANGO_DEBUG="1",
            DATABASE_URL=(
                f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
                f"{database['PORT'] or 5432}/{database['NAME']}"
            ),
            CELERY_BROKER_URL=broker_url,
            CACHE_URL="locmemcache://",
            EMAIL_URL="filemail://",
            DJANGO_EMAIL_FILE_PATH=str(mail),
            EVENTS_RELAY_GRACE_SECONDS="0",
            PYTHONPATH=str(ROOT),
        )
        env.update(extra)
        return env

    make.mail_folder = mail
    return make


def run_product(env: dict[str, str], code: str, timeout: int = 60) -> str:
    """Run ``code`` in a Django process configured like production; its stdout."""
    script = "import django; django.setup()\n" + code
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


class Worker:
    """A real Celery worker process (solo pool) consuming every queue."""

    def __init__(self, env: dict[str, str], log: Path):
        self.env = env
        self.log = log
        self.process: subprocess.Popen | None = None
        self._log_file = None

    def start(self) -> None:
        self._log_file = self.log.open("ab")
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "smarketing", "worker"),
                *("--pool", "solo", "--without-gossip", "--without-mingle"),
                *("--without-heartbeat", "-l", "INFO"),
            ],
            env=self.env,
            cwd=ROOT,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )

    def _ended(self) -> None:
        self.process = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def kill(self) -> None:
        """SIGKILL: the worker dies at once, mid-task if it is in one."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
        self._ended()

    def stop(self) -> None:
        """SIGTERM: a warm shutdown that finishes the task at hand."""
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._ended()


@pytest.fixture
def worker_for(tmp_path):
    workers: list[Worker] = []

    def make(env: dict[str, str]) -> Worker:
        worker = Worker(env, tmp_path / f"worker{len(workers)}.log")
        workers.append(worker)
        return worker

    yield make
    for worker in workers:
        worker.kill()


def wait_until(predicate, timeout: float = 30, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"not true within {timeout} s")
