"""The ``cctui`` command line, run with click's CliRunner against a real database."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner, Result

from cctui.cli import main
from cctui.db.engine import Database
from cctui.db.migrate import head_revision

VERBS = [
    [],
    ["app"],
    ["db"],
    ["db", "upgrade"],
    ["db", "current"],
    ["db", "url"],
    ["db", "start"],
    ["db", "stop"],
    ["db", "status"],
    ["demo"],
    ["daily-check"],
    ["letters"],
    ["letters", "list"],
    ["letters", "print"],
    ["letters", "reprint"],
    ["recalc"],
    ["report"],
    ["report", "queue"],
    ["report", "overdue"],
    ["report", "agency"],
    ["report", "agencies"],
    ["report", "held"],
]
UNREACHABLE = "postgresql://x@127.0.0.1:1/none"


def run(args: list[str], env: dict[str, str | None] | None = None, **kwargs: object) -> Result:
    return CliRunner().invoke(main, args, env=env, catch_exceptions=False, **kwargs)  # type: ignore[arg-type]


def assert_one_error_sentence(result: Result, *fragments: str) -> str:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert lines[0].endswith(".")
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


@pytest.mark.parametrize("verb", VERBS, ids=lambda verb: " ".join(verb) or "cctui")
def test_every_verb_has_help(verb: list[str]) -> None:
    result = run([*verb, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout
    # Every option of the verb says what it does.
    for line in result.stdout.splitlines():
        stripped = line.strip()
        if stripped.startswith("--") and stripped not in ("--help", "--version"):
            assert len(stripped.split(None, 1)) == 2 or stripped.endswith("]"), line


def test_version() -> None:
    result = run(["--version"])
    assert result.exit_code == 0
    assert "0.1.0" in result.stdout


def test_db_url_masks_the_password() -> None:
    result = run(
        ["db", "url"], env={"CCTUI_DATABASE_URL": "postgres://cc:s3cret@db.example.com:6432/credit"}
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "postgresql+psycopg://cc:***@db.example.com:6432/credit"
    assert "s3cret" not in result.output


def test_database_url_option_beats_the_environment() -> None:
    result = run(
        ["--database-url", "postgresql://opt@optionhost/db", "db", "url"],
        env={"CCTUI_DATABASE_URL": "postgresql://env@envhost/db"},
    )
    assert result.stdout.strip() == "postgresql+psycopg://opt@optionhost/db"


def test_db_current_at_head(cli_env: dict[str, str | None]) -> None:
    result = run(["db", "current"], env=cli_env)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"{head_revision()} (head)"


def test_db_upgrade_then_current(empty_database_url: str, cli_env: dict[str, str | None]) -> None:
    env = {**cli_env, "CCTUI_DATABASE_URL": empty_database_url}
    before = run(["db", "current"], env=env)
    assert before.exit_code == 0
    assert before.stdout.startswith("none (empty database")

    result = run(["db", "upgrade"], env=env)
    assert result.exit_code == 0, result.output
    assert f"from empty to {head_revision()}" in result.stdout

    again = run(["db", "upgrade"], env=env)
    assert "already at revision" in again.stdout
    assert run(["db", "current"], env=env).stdout.strip() == f"{head_revision()} (head)"


@pytest.mark.parametrize(
    "verb",
    [
        ["db", "current"],
        ["db", "status"],
        ["db", "upgrade"],
        ["app"],
        ["demo"],
        ["report", "queue"],
        [],
    ],
)
def test_an_unreachable_server_is_one_sentence(verb: list[str]) -> None:
    result = run(["--database-url", UNREACHABLE, *verb])
    line = assert_one_error_sentence(result, "127.0.0.1:1/none")
    assert line == "Error: Cannot reach the database at 127.0.0.1:1/none: connection refused."


def test_an_invalid_url_is_one_sentence() -> None:
    result = run(["--database-url", "mysql://u:pw@h/db", "db", "current"])
    line = assert_one_error_sentence(result, "PostgreSQL")
    assert "pw" not in line.replace("PostgreSQL", "")


def test_start_and_stop_on_a_shared_server_do_nothing(cli_env: dict[str, str | None]) -> None:
    for verb in ("start", "stop"):
        result = run(["db", verb], env=cli_env)
        assert result.exit_code == 0
        assert "shared server" in result.stdout
        assert f"nothing to {verb}" in result.stdout


def test_status_of_a_shared_server(cli_env: dict[str, str | None]) -> None:
    result = run(["db", "status"], env=cli_env)
    assert result.exit_code == 0, result.output
    assert "answers (PostgreSQL " in result.stdout


def run_process(args: list[str], env: dict[str, str | None]) -> subprocess.CompletedProcess[str]:
    """Run ``cctui args`` in its own process (as a user would), with ``env`` applied."""
    full_env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    for name, value in env.items():
        if value is None:
            full_env.pop(name, None)
        else:
            full_env[name] = value
    return subprocess.run(
        [sys.executable, "-c", "from cctui.cli import main; main()", *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_embedded_server_verbs(embedded_cli_env: dict[str, str | None]) -> None:
    def cctui(*args: str) -> subprocess.CompletedProcess[str]:
        return run_process(list(args), embedded_cli_env)

    assert "no embedded database" in cctui("db", "status").stdout
    url = cctui("db", "url")
    assert url.returncode == 1
    assert url.stderr.startswith("Error: ") and "cctui db start" in url.stderr

    started = cctui("db", "start")
    assert started.returncode == 0, started.stderr
    assert "keeps running" in started.stdout
    assert "keeps running" in cctui("db", "status").stdout  # after `db start` exited
    assert cctui("db", "url").stdout.startswith("postgresql+psycopg://postgres@/cctui?host=")
    upgraded = cctui("db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "is running" in cctui("db", "status").stdout  # the upgrade did not stop it

    stopped = cctui("db", "stop")
    assert stopped.returncode == 0, stopped.stderr
    assert stopped.stdout.startswith("Stopped")
    assert "is stopped" in cctui("db", "status").stdout
    assert "not running" in cctui("db", "stop").stdout

    # The app-style verbs start it for themselves and stop it when they exit.
    assert cctui("db", "current").stdout.strip() == f"{head_revision()} (head)"
    assert "is stopped" in cctui("db", "status").stdout


def test_app_on_a_server_behind_head_says_to_upgrade(
    empty_database_url: str, cli_env: dict[str, str | None]
) -> None:
    env = {**cli_env, "CCTUI_DATABASE_URL": empty_database_url}
    assert_one_error_sentence(run(["app"], env=env), "`cctui db upgrade`")


def test_unknown_user_is_told_how_to_get_added(cli_env: dict[str, str | None]) -> None:
    result = run(["--user", "nobody_here", "app"], env=cli_env)
    assert_one_error_sentence(result, "'nobody_here'", "--user")


def test_demo_refuses_without_reset_when_data_exists(cli_env: dict[str, str | None]) -> None:
    first = run(["--user", "tester", "demo", "--customers", "5", "--seed", "1"], env=cli_env)
    assert first.exit_code == 0, first.output
    summary = first.stdout.strip().splitlines()
    assert len(summary) == 1 and summary[0].startswith("Loaded ") and " s." in summary[0]

    refused = run(["--user", "tester", "demo", "--customers", "5"], env=cli_env)
    assert_one_error_sentence(refused)

    again = run(["--user", "tester", "demo", "--customers", "5", "--reset"], env=cli_env)
    assert again.exit_code == 0, again.output


def test_db_verbs_do_not_import_textual(cli_env: dict[str, str | None]) -> None:
    code = (
        "import sys\n"
        "from cctui.cli import main\n"
        "try:\n"
        "    main(['db', 'current'])\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
        "assert 'textual' not in sys.modules, 'textual was imported'\n"
    )
    env = {k: v for k, v in os.environ.items()}
    env.update({k: v for k, v in cli_env.items() if v is not None})
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_the_app_starts_without_the_other_screens_or_the_pdf_renderer() -> None:
    """What ``cctui app`` imports before its first frame is what every start pays for."""
    code = (
        "import sys\n"
        "from cctui.cli import load_command\n"
        "load_command('app')\n"
        "import cctui.app\n"
        "late = ['fpdf', 'fontTools', 'alembic', 'cctui.screens.letters', 'cctui.screens.queue',\n"
        "        'cctui.screens.customer', 'cctui.cli.export_cmd', 'cctui.cli.reports']\n"
        "loaded = [name for name in late if name in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_db_stop_refuses_while_a_session_uses_it(embedded_cli_env: dict[str, str | None]) -> None:
    from pathlib import Path

    from cctui.db.embedded import running_info, start_embedded

    pgdata = Path(str(embedded_cli_env["CCTUI_DATA_DIR"])) / "pgdata"
    start_embedded(pgdata, keep_running=False)  # this test process is an app session
    refused = run_process(["db", "stop"], embedded_cli_env)
    assert refused.returncode == 1
    assert "in use by cctui" in refused.stderr and "--force" in refused.stderr
    assert running_info(pgdata) is not None

    forced = run_process(["db", "stop", "--force"], embedded_cli_env)
    assert forced.returncode == 0, forced.stderr
    assert running_info(pgdata) is None


def test_app_demo_loads_only_into_a_database_without_customers(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cctui.cli import app_cmd

    monkeypatch.setattr(app_cmd, "DEMO_CUSTOMERS", 5)
    assert app_cmd.load_demo_if_empty(db, "tester") is True
    assert app_cmd.load_demo_if_empty(db, "tester") is False
    identity = app_cmd.identify_user(db, "tester")
    assert identity.login == "tester"
