"""Settings resolution, URL normalising and password masking (no database needed)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import platformdirs
import pytest

from cctui.config import LIBPQ_URL, DatabaseTarget, resolve_settings
from cctui.db.url import InvalidDatabaseUrl, describe_url, mask_password, normalise_url
from cctui.domain.errors import CctuiError


@pytest.fixture(autouse=True)
def _os_login(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("getpass.getuser", lambda: "oslogin")


def test_option_beats_environment() -> None:
    settings = resolve_settings(
        database_url="postgres://opt@optionhost/optdb",
        environ={"CCTUI_DATABASE_URL": "postgresql://env@envhost/envdb", "PGHOST": "pghost"},
    )
    assert settings.target.kind == "server"
    assert settings.target.url == "postgresql+psycopg://opt@optionhost/optdb"
    assert settings.target.label == "optionhost:5432/optdb"
    assert settings.target.pgdata is None


def test_cctui_variable_beats_libpq_variables() -> None:
    settings = resolve_settings(
        environ={"CCTUI_DATABASE_URL": "postgresql://env@envhost:5433/envdb", "PGHOST": "pg"}
    )
    assert settings.target.url == "postgresql+psycopg://env@envhost:5433/envdb"
    assert settings.target.label == "envhost:5433/envdb"


@pytest.mark.parametrize("name", ["PGHOST", "PGHOSTADDR", "PGDATABASE", "PGPORT", "PGUSER"])
def test_any_libpq_variable_selects_a_libpq_server(name: str) -> None:
    settings = resolve_settings(environ={name: "5434" if name == "PGPORT" else "value"})
    assert settings.target.kind == "server"
    assert settings.target.url == LIBPQ_URL


def test_libpq_label_follows_the_variables() -> None:
    env = {"PGHOST": "db.example.com", "PGPORT": "6432", "PGDATABASE": "credit", "PGUSER": "cc"}
    assert resolve_settings(environ=env).target.label == "db.example.com:6432/credit"
    assert resolve_settings(environ={"PGUSER": "cc"}).target.label == "localhost:5432/cc"
    assert resolve_settings(environ={"PGSERVICE": "books"}).target.label == "service books"


def test_password_variable_alone_does_not_leave_the_embedded_database() -> None:
    settings = resolve_settings(environ={"PGPASSWORD": "secret", "CCTUI_DATA_DIR": "/srv/cc"})
    assert settings.target.kind == "embedded"


def test_embedded_by_default_under_the_data_dir(tmp_path: Path) -> None:
    settings = resolve_settings(environ={"CCTUI_DATA_DIR": str(tmp_path)})
    assert settings.data_dir == tmp_path
    assert settings.target == DatabaseTarget(
        kind="embedded",
        url=None,
        label=f"embedded ({tmp_path / 'pgdata'})",
        pgdata=tmp_path / "pgdata",
    )
    assert settings.target.is_embedded


def test_default_data_dir_is_the_platform_user_data_dir() -> None:
    settings = resolve_settings(environ={})
    assert settings.data_dir == platformdirs.user_data_path("cctui").absolute()
    assert settings.target.pgdata == settings.data_dir / "pgdata"


def test_empty_values_count_as_unset(tmp_path: Path) -> None:
    settings = resolve_settings(
        database_url="",
        user="",
        environ={
            "CCTUI_DATABASE_URL": " ",
            "CCTUI_USER": "",
            "PGHOST": "",
            "CCTUI_DATA_DIR": str(tmp_path),
        },
    )
    assert settings.target.kind == "embedded"
    assert settings.user == "oslogin"


def test_user_resolution_order() -> None:
    assert resolve_settings(user="opt", environ={"CCTUI_USER": "env"}).user == "opt"
    assert resolve_settings(environ={"CCTUI_USER": "env"}).user == "env"
    assert resolve_settings(environ={}).user == "oslogin"


def test_settings_are_frozen() -> None:
    settings = resolve_settings(environ={})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.user = "other"  # type: ignore[misc]


def test_unusable_url_is_one_clear_sentence_without_the_password() -> None:
    with pytest.raises(InvalidDatabaseUrl) as caught:
        resolve_settings(database_url="mysql://u:hunter2@h/db", environ={})
    assert isinstance(caught.value, CctuiError)
    message = str(caught.value)
    assert "hunter2" not in message
    assert "PostgreSQL" in message
    assert message.count(".") >= 1 and "\n" not in message


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg2://u@h:5433/db", "postgresql+psycopg://u@h:5433/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        (
            "  POSTGRESQL://u:p@h/db?sslmode=require  ",
            "postgresql+psycopg://u:p@h/db?sslmode=require",
        ),
        (
            "postgresql://postgres:@/postgres?host=/tmp/x",
            "postgresql+psycopg://postgres:@/postgres?host=/tmp/x",
        ),
    ],
)
def test_normalise_url(given: str, expected: str) -> None:
    assert normalise_url(given) == expected


@pytest.mark.parametrize("bad", ["sqlite:///x.db", "mysql://u@h/db", "host=db dbname=x", ""])
def test_normalise_url_refuses_other_databases(bad: str) -> None:
    with pytest.raises(InvalidDatabaseUrl):
        normalise_url(bad)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql+psycopg://u:secret@h:5432/db", "postgresql+psycopg://u:***@h:5432/db"),
        ("postgresql://u:p%40ss@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u@h/db", "postgresql://u@h/db"),
        ("postgresql://u:@h/db", "postgresql://u:@h/db"),
        (
            "postgresql://u@h/db?sslmode=require&password=secret",
            "postgresql://u@h/db?sslmode=require&password=***",
        ),
        ("not a url://u:secret@", "not a url://u:***@"),
    ],
)
def test_mask_password(given: str, expected: str) -> None:
    assert mask_password(given) == expected


def test_describe_url() -> None:
    assert describe_url("postgresql+psycopg://u:secret@db.example.com:6432/credit") == (
        "db.example.com:6432/credit"
    )
    assert describe_url("postgresql+psycopg://u@h/db") == "h:5432/db"
    assert describe_url("postgresql+psycopg://postgres@/cctui?host=/tmp/pg") == "/tmp/pg:5432/cctui"
    assert "secret" not in describe_url("postgresql+psycopg://u:secret@h/db")
