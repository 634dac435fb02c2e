"""``cctui import``: the verb end to end on a real database, its messages and exit codes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from cctui.cli import main
from cctui.domain.models import Invoice, Role
from tests.factories import TODAY, make_customer, make_staff
from tests.import_support import write_csv

HEADER = "number,account,issued_on,due_on,amount,currency,description"
DAY = ["--date", TODAY.isoformat()]


@pytest.fixture
def book(db):
    with db.session() as session:
        make_staff(session, "boss", Role.ADMIN)
        make_staff(session, "ctl", Role.CONTROLLER)
        make_customer(session, account="C001")


def _run(cli_env, *args, user="boss"):
    env = dict(cli_env)
    env["CCTUI_USER"] = user
    return CliRunner().invoke(main, ["import", *args], env=env)


def _numbers(db):
    with db.session() as session:
        return sorted(session.scalars(select(Invoice.number)))


def test_import_prints_the_counts_and_reimport_changes_nothing(cli_env, book, db, tmp_path):
    path = write_csv(tmp_path / "inv.csv", HEADER, "INV-1,C001,2026-09-01,,5.00,EUR,")
    first = _run(cli_env, "invoices", str(path), *DAY)
    assert first.exit_code == 0, first.output
    assert first.stdout.strip() == (
        "Imported invoices from inv.csv (comma-separated, 1 row): 1 new, 0 updated, "
        "0 unchanged, 0 rejected."
    )
    again = _run(cli_env, "invoices", str(path), "--json", *DAY)
    assert again.exit_code == 0, again.output
    counts = json.loads(again.stdout)
    assert (counts["inserted"], counts["updated"], counts["unchanged"]) == (0, 0, 1)
    assert _numbers(db) == ["INV-1"]


def test_bad_file_lists_every_bad_value_and_exits_1(cli_env, book, db, tmp_path):
    path = write_csv(
        tmp_path / "bad.csv",
        HEADER,
        "INV-1,C001,2026-09-01,,12.50,EUR,",
        'INV-2,C001,2026-09-31,,"12,50",EUR,',
    )
    result = _run(cli_env, "invoices", str(path), *DAY)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert "bad.csv line 3, column issued_on: '2026-09-31' is not a real date" in lines
    assert any(line.startswith("bad.csv line 3, column amount: '12,50'") for line in lines)
    assert lines[-1] == (
        "Error: bad.csv has 2 bad values on 1 line, so nothing was imported "
        "(fix them, or import the good rows with --skip-bad)."
    )
    assert _numbers(db) == []


def test_dry_run_and_skip_bad(cli_env, book, db, tmp_path):
    path = write_csv(
        tmp_path / "mixed.csv", HEADER, "INV-1,C001,2026-09-01,,5.00,EUR,", "INV-2,C9,x,,1,EUR,"
    )
    dry = _run(cli_env, "invoices", str(path), "--dry-run", "--skip-bad", *DAY)
    assert dry.exit_code == 0, dry.output
    assert "Would import invoices" in dry.stdout and "nothing was changed" in dry.stdout
    assert _numbers(db) == []
    assert not (tmp_path / "mixed.rejects.csv").exists()
    real = _run(cli_env, "invoices", str(path), "--skip-bad", *DAY)
    assert real.exit_code == 0, real.output
    assert "1 new, 0 updated, 0 unchanged, 1 rejected" in real.stdout
    assert "rejected: mixed.csv line 3, column issued_on" in real.stderr
    assert (tmp_path / "mixed.rejects.csv").exists()
    assert _numbers(db) == ["INV-1"]


def test_unreadable_files_and_roles_are_one_sentence(cli_env, book, tmp_path):
    latin = write_csv(
        tmp_path / "latin.csv",
        HEADER,
        "INV-1,C001,2026-09-01,,5.00,EUR,Ol\u00e9",
        encoding="latin-1",
    )
    result = _run(cli_env, "invoices", str(latin))
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: latin.csv is not UTF-8: line 2 holds the byte 0xe9 at position 35; "
        "save the file as UTF-8 and import it again."
    )
    good = write_csv(tmp_path / "good.csv", HEADER, "INV-1,C001,2026-09-01,,5.00,EUR,")
    refused = _run(cli_env, "invoices", str(good), user="ctl")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        "Error: Only a supervisor or above may import invoices; ctl is a controller."
    )
    missing = _run(cli_env, "invoices", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 2
