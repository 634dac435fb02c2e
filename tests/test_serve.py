"""``cctui serve``: the app in a browser through textual-serve, started and stopped for real."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from cctui.cli.serve_cmd import app_command_line, is_loopback
from cctui.domain.models import Role
from tests.factories import make_staff

STARTUP_SECONDS = 60


def free_port() -> int:
    """A TCP port nothing listens on at the moment."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    """Status and body of a GET (error statuses included)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


@contextmanager
def serving(args: list[str], env: dict[str, str | None]) -> Iterator[subprocess.Popen[str]]:
    """``cctui serve args`` in its own process, stopped with SIGTERM at the end."""
    full_env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    for name, value in env.items():
        if value is None:
            full_env.pop(name, None)
        else:
            full_env[name] = value
    process = subprocess.Popen(
        [sys.executable, "-m", "cctui", "serve", *args],
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise


def wait_for(url: str, process: subprocess.Popen[str]) -> tuple[int, str]:
    """The first answer of ``url``, polling while the server starts."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"cctui serve exited {process.returncode}: {out}{err}")
        try:
            return get(url)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_serve_answers_with_the_app_page_and_stops_cleanly(session, cli_env):
    make_staff(session, "webby", Role.AGENT)
    session.commit()
    port = free_port()
    with serving(["--port", str(port)], {**cli_env, "CCTUI_USER": "webby"}) as process:
        status, body = wait_for(f"http://127.0.0.1:{port}/", process)
        assert status == 200
        assert "<html" in body.lower()
        assert f"ws://127.0.0.1:{port}/ws" in body
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
        out, err = process.communicate()
    assert f"cctui in a browser at http://127.0.0.1:{port}" in out
    assert "Warning" not in err


def test_serve_with_a_user_header_refuses_sessions_without_it(session, cli_env):
    port = free_port()
    with serving(["--port", str(port), "--user-header", "X-Forwarded-User"], cli_env) as process:
        status, _ = wait_for(f"http://127.0.0.1:{port}/", process)
        assert status == 200
        status, body = get(f"http://127.0.0.1:{port}/ws")
        assert status == 403
        assert "X-Forwarded-User" in body
        status, _ = get(f"http://127.0.0.1:{port}/ws", {"X-Forwarded-User": "a b; rm -rf /"})
        assert status == 403


def test_serve_refuses_an_unknown_login_before_listening(cli_env):
    port = free_port()
    with serving(["--port", str(port)], {**cli_env, "CCTUI_USER": "nobody"}) as process:
        assert process.wait(timeout=60) == 1
        _, err = process.communicate()
    assert "No active staff member has the login 'nobody'" in err


def test_session_command_lines_and_loopback_hosts():
    assert app_command_line(None).endswith("-m cctui app")
    assert app_command_line("o'neil").endswith("-m cctui --user 'o'\"'\"'neil' app")
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.0.2.1")


async def first_screen(port: int, wanted: bytes, seconds: float) -> bytes:
    """What a browser session's app sends until ``wanted`` shows up (or time runs out)."""
    import asyncio

    import aiohttp

    seen = b""
    async with (
        aiohttp.ClientSession() as client,
        client.ws_connect(f"http://127.0.0.1:{port}/ws?width=80&height=24") as socket_,
    ):
        try:
            async with asyncio.timeout(seconds):
                async for message in socket_:
                    if message.type == aiohttp.WSMsgType.BINARY:
                        seen += message.data
                    elif message.type == aiohttp.WSMsgType.TEXT:
                        seen += message.data.encode()
                    if wanted in seen:
                        break
        except TimeoutError:
            pass
    return seen


async def test_a_browser_session_runs_the_app_as_the_serving_login(session, cli_env):
    make_staff(session, "webby", Role.AGENT)
    session.commit()
    port = free_port()
    with serving(["--port", str(port)], {**cli_env, "CCTUI_USER": "webby"}) as process:
        status, _ = wait_for(f"http://127.0.0.1:{port}/", process)
        assert status == 200
        seen = await first_screen(port, b"Dashboard", STARTUP_SECONDS)
    assert b"Dashboard" in seen
