import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from iot_network.env import env_bool, env_int, parse_database_url, parse_email_url

BASE_DIR = Path(__file__).resolve().parent.parent


def test_malformed_boolean_stops_start_up_naming_the_variable(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG")


def test_malformed_integer_stops_start_up(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER"):
        env_int("SOME_NUMBER", 1)


def test_postgres_url_becomes_database_settings():
    config = parse_database_url(
        "postgres://app:s%40cret@db.internal:5433/portal?sslmode=require", base_dir=BASE_DIR
    )
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == ("portal", "app", "s@cret")
    assert (config["HOST"], config["PORT"]) == ("db.internal", "5433")
    assert config["OPTIONS"] == {"sslmode": "require"}


def test_relative_sqlite_url_is_under_the_project():
    config = parse_database_url("sqlite:///var/db.sqlite3", base_dir=BASE_DIR)
    assert config["NAME"] == str(BASE_DIR / "var" / "db.sqlite3")


def test_unknown_database_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured, match="mysql"):
        parse_database_url("mysql://localhost/x", base_dir=BASE_DIR)


def test_smtp_url_with_starttls():
    config = parse_email_url("smtp://user:pa%2Fss@mail.example.org:587?tls=1")
    assert config["EMAIL_HOST"] == "mail.example.org"
    assert config["EMAIL_PORT"] == 587
    assert config["EMAIL_HOST_PASSWORD"] == "pa/ss"
    assert config["EMAIL_USE_TLS"] is True
    assert config["EMAIL_USE_SSL"] is False


def test_smtps_url_defaults_to_port_465():
    config = parse_email_url("smtps://mail.example.org")
    assert (config["EMAIL_PORT"], config["EMAIL_USE_SSL"]) == (465, True)


def _import_settings(**env) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "EMAIL_URL"}
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django; from django.conf import settings; settings.DEBUG"],
        cwd=BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "iot_network.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_secret_key_refuses_to_start():
    result = _import_settings(ALLOWED_HOSTS="portal.example.org", EMAIL_URL="console:")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_without_allowed_hosts_refuses_to_start():
    result = _import_settings(SECRET_KEY="x" * 50, EMAIL_URL="console:")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_quick_start_needs_nothing_but_debug():
    result = _import_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_settings_use_london_time_and_british_english(settings):
    assert settings.TIME_ZONE == "Europe/London"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "en-gb"
