"""A real webhook receiver on 127.0.0.1: it verifies signatures as an integrator would."""

import http.server
import threading
import time
from dataclasses import dataclass, field

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

# The ports this project's tests may use for servers they start.
PORTS = range(8400, 8500)


@dataclass
class Received:
    headers: dict[str, str]
    body: str
    verified: bool
    answered: int | None


@dataclass
class Receiver:
    """Answers each request with the next planned behaviour (then ``default``).

    Behaviours: an HTTP status code (int), or "timeout" (answers after ``slow_seconds``).
    ``secrets``: each delivery is verified with standardwebhooks against any of them.
    """

    port: int = 0
    plan: list = field(default_factory=list)
    default: object = 200
    secrets: list[str] = field(default_factory=list)
    slow_seconds: float = 1.5
    received: list[Received] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def verify(self, body: str, headers: dict[str, str]) -> bool:
        for secret in self.secrets:
            try:
                Webhook(secret).verify(body, headers)
                return True
            except WebhookVerificationError:
                continue
        return False


def _handler_for(receiver: Receiver):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet tests
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length).decode()
            headers = {name.lower(): value for name, value in self.headers.items()}
            behaviour = receiver.plan.pop(0) if receiver.plan else receiver.default
            record = Received(headers, body, receiver.verify(body, headers), None)
            receiver.received.append(record)
            if behaviour == "timeout":
                time.sleep(receiver.slow_seconds)
                behaviour = 200
            record.answered = int(behaviour)
            payload = f"answer {behaviour}".encode()
            try:
                self.send_response(int(behaviour))
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                pass  # the sender gave up (timeout)

    return Handler


@pytest.fixture
def receiver():
    server = None
    state = Receiver()
    for port in PORTS:
        try:
            server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _handler_for(state))
            break
        except OSError:
            continue
    assert server is not None, "no free port in 8400-8499"
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
