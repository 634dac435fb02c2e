"""``cctui daily-check`` from cron: one JSON line, once a day even across processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from click.testing import CliRunner
from sqlalchemy import func, select

from cctui.cli import main
from cctui.domain.models import DailyCheckRun, Role
from tests.factories import make_customer, make_invoice, make_policy, make_staff


def _env(cli_env, user="cron"):
    env = dict(cli_env)
    env["CCTUI_USER"] = user
    return env


def test_json_output_is_one_line_and_a_second_call_did_not_run(cli_env, db):
    with db.session() as session:
        make_staff(session, "cron", Role.AGENT)
        customer = make_customer(session, policy=make_policy(session), credit_limit="1")
        make_invoice(session, customer, "50", days_past_due=100)
    runner = CliRunner()
    first = runner.invoke(
        main, ["daily-check", "--date", "2026-11-23", "--json"], env=_env(cli_env)
    )
    assert first.exit_code == 0, first.output
    assert first.stdout.count("\n") == 1
    payload = json.loads(first.stdout)
    assert payload["run_date"] == "2026-11-23"
    assert payload["ran"] is True
    assert payload["changed"]["credit_actions_set"] == 1
    again = runner.invoke(
        main, ["daily-check", "--date", "2026-11-23", "--json"], env=_env(cli_env)
    )
    assert json.loads(again.stdout) == {**payload, "ran": False}
    words = runner.invoke(main, ["daily-check", "--date", "2026-11-23"], env=_env(cli_env))
    assert words.stdout.strip() == "The daily check of 2026-11-23 was already done by cron."


def test_unknown_login_and_bad_date_are_one_sentence(cli_env):
    runner = CliRunner()
    unknown = runner.invoke(main, ["daily-check"], env=_env(cli_env, "nobody"))
    assert unknown.exit_code == 1
    assert unknown.stderr.startswith("Error: No active staff member has the login 'nobody'")
    bad = runner.invoke(main, ["daily-check", "--date", "23/11/2026"], env=_env(cli_env))
    assert bad.exit_code == 2
    assert "23/11/2026" in bad.stderr


def test_simultaneous_processes_run_the_day_once(cli_env, db):
    with db.session() as session:
        make_staff(session, "cron", Role.AGENT)
        policy = make_policy(session)
        for days in range(0, 120, 5):
            make_invoice(session, make_customer(session, policy=policy), "10", days_past_due=days)
    env = {**os.environ, **{k: v for k, v in _env(cli_env).items() if v is not None}}
    command = [sys.executable, "-m", "cctui", "daily-check", "--date", "2026-11-23", "--json"]
    processes = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(6)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert all(process.returncode == 0 for process in processes), outputs
    results = [json.loads(stdout) for stdout, _err in outputs]
    assert sum(result["ran"] for result in results) == 1
    assert len({json.dumps(result["changed"], sort_keys=True) for result in results}) == 1
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(DailyCheckRun)) == 1
