"""The README's "Sync your CRM" examples, run as written against a live server.

The shell block's ``create_api_token`` runs as the management command; the Python blocks
run in order in one namespace, as an integrator would paste them, except the webhook
receiver, which runs as its own process (as in its comment) and must receive and verify
the deliveries.
"""

import io
import os
import re
import shlex
import subprocess
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_SERVICE_ACCOUNT
from accounts.models import Team
from accounts.services import user_create

README = Path(__file__).resolve().parents[1] / "README.md"
PORTS = range(8400, 8500)


def _section() -> str:
    text = README.read_text()
    start = text.index("## Sync your CRM")
    return text[start : text.index("\n## ", start + 1)]


def _blocks() -> dict[str, str]:
    """The section's code blocks: Python ones by the file name of their first line."""
    blocks: dict[str, str] = {}
    for language, code in re.findall(r"```(\w+)\n(.*?)```", _section(), flags=re.S):
        if language == "python":
            name = code.splitlines()[0].removeprefix("# ").split(" ")[0]
            blocks[name] = code
        elif language == "sh":
            blocks["token.sh"] = code
    return blocks


def _free_port() -> int:
    import socket

    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError("no free port in 8400-8499")


def _token_from(shell: str) -> str:
    """Run the block's ``manage.py create_api_token …`` and return what it prints."""
    line = next(line for line in shell.splitlines() if "create_api_token" in line)
    command = line.split("$(", 1)[1].rsplit(")", 1)[0]
    args = shlex.split(command)
    args = args[args.index("create_api_token") + 1 :]
    out = io.StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


@pytest.mark.django_db(transaction=True)
def test_the_sync_your_crm_examples_run_as_written(live_server, monkeypatch, tmp_path):
    username, role, team_name, first_name, last_name = DEMO_SERVICE_ACCOUNT
    team, _created = Team.objects.get_or_create(name=team_name, defaults={"kind": "marketing"})
    user_create(
        username=username,
        password=None,
        role=role,
        team=team,
        first_name=first_name,
        last_name=last_name,
        is_service_account=True,
    )
    blocks = _blocks()
    assert set(blocks) >= {
        "token.sh",
        "crm_client.py",
        "subscribe.py",
        "receiver.py",
        "upsert.py",
        "changes.py",
        "update.py",
    }
    port = _free_port()
    monkeypatch.setenv("SMARKETING_TOKEN", _token_from(blocks["token.sh"]))
    monkeypatch.setenv("SMARKETING_API", f"{live_server.url}/api/v1")
    monkeypatch.setenv("RECEIVER_URL", f"http://127.0.0.1:{port}/")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "readme"}

    def run(name: str) -> str:
        out = io.StringIO()
        with redirect_stdout(out):
            exec(compile(blocks[name], name, "exec"), namespace)  # noqa: S102 - the README's code
        return out.getvalue()

    run("crm_client.py")
    subscribed = run("subscribe.py")
    assert subscribed.startswith("201 ")
    script = tmp_path / "receiver.py"
    script.write_text(blocks["receiver.py"])
    receiver = subprocess.Popen(
        [sys.executable, str(script)],
        env={**os.environ, "SMARKETING_WEBHOOK_SECRET": namespace["secret"], "PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_port(port, receiver)
        upserted = run("upsert.py")
        changes = run("changes.py")
        again = run("changes.py")  # the cursor was kept: nothing new
        updated = run("update.py")
    finally:
        receiver.terminate()
        received, errors = receiver.communicate(timeout=10)

    assert upserted.splitlines() == [
        "200 {'created': 2, 'updated': 0, 'unchanged': 0, 'moved': 0, 'errors': []}",
        "true True",
    ]
    assert [line.split(" ")[:2] for line in changes.splitlines()] == [["lead.created", "lead"]] * 2
    assert again == ""
    assert updated.splitlines() == ["200 CMO", "412 precondition_failed", "304"]
    # Both creations and the update reached the receiver, signatures verified.
    assert [line.split(" ")[0] for line in received.splitlines()] == [
        "lead.created",
        "lead.created",
        "lead.updated",
    ], errors


def _wait_for_port(port: int, process: subprocess.Popen) -> None:
    import socket

    for _ in range(100):
        if process.poll() is not None:
            raise AssertionError(process.stderr.read() if process.stderr else "receiver died")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError("the receiver did not start")
