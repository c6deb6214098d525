"""Production settings, the health endpoint, and security headers."""

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest

from monitoring.services import heartbeat_record
from portal.celery import QUEUES

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-0123456789-abcdefghij",
    "ALLOWED_HOSTS": "portal.example.org",
    "DATABASE_URL": "postgres://portal@127.0.0.1:5432/portal",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "PORTAL_ALLOW_UNSEALED": "1",
    "REDIS_CACHE_URL": "redis://127.0.0.1:6379/1",
    "PORTAL_BASE_URL": "https://portal.example.org",
    "CLAMD_URL": "unix:///run/clamav/clamd.ctl",
}


def manage(*args, env):
    parent = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}  # set for Playwright
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**parent, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_keeps_database_connections_open_and_checks_them():
    code = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    result = manage("shell", "-c", code, env=PRODUCTION_ENV)
    assert result.stdout.splitlines()[-1].split() == ["60", "True"], result.stderr


def test_production_keeps_private_files_in_the_object_store_when_a_bucket_is_given():
    code = (
        "from django.core.files.storage import storages; s = storages['private']; "
        "print(type(s).__name__, s.bucket_name, s.endpoint_url, s.default_acl, s.file_overwrite)"
    )
    env = {**PRODUCTION_ENV, "S3_BUCKET": "portal-private", "S3_ENDPOINT_URL": "https://s3.example.org"}
    result = manage("shell", "-c", code, env=env)
    assert result.stdout.splitlines()[-1].split() == [
        "PrivateObjectStorage",
        "portal-private",
        "https://s3.example.org",
        "None",
        "False",
    ], result.stderr


@pytest.mark.parametrize(
    "missing",
    ["SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "ALLOWED_HOSTS", "REDIS_CACHE_URL", "PORTAL_BASE_URL"],
)
def test_production_refuses_to_start_without_its_environment(missing):
    env = {**PRODUCTION_ENV, missing: ""}
    result = manage("check", env=env)
    assert result.returncode != 0 and missing in result.stderr


def test_production_shares_one_redis_cache_and_the_configured_address():
    show = (
        "from django.conf import settings; c = settings.CACHES['default']; "
        "print(c['BACKEND'], c['LOCATION'], settings.PORTAL_BASE_URL)"
    )
    result = manage("shell", "--verbosity", "0", "-c", show, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://127.0.0.1:6379/1",
        "https://portal.example.org",
    ]


@pytest.mark.parametrize(
    "variable,value",
    [
        ("PORTAL_BASE_URL", "http://127.0.0.1:8000"),  # the development address
        ("PORTAL_BASE_URL", "portal.example.org"),
        ("REDIS_CACHE_URL", "redis://127.0.0.1:6379/0"),  # the broker's database: clearing the cache would drop tasks
        ("REDIS_CACHE_URL", "redis://127.0.0.1:6379"),  # the same database 0, written another way
        ("REDIS_CACHE_URL", "locmem://"),
    ],
)
def test_production_refuses_an_unfit_address_or_cache(variable, value):
    result = manage("check", env={**PRODUCTION_ENV, variable: value})
    assert result.returncode != 0 and variable in result.stderr


def test_demo_accounts_are_refused_outside_demo_mode():
    result = manage("create_demo_accounts", env={"DJANGO_SETTINGS_MODULE": "portal.settings.test"})
    assert result.returncode != 0 and "PORTAL_DEMO" in result.stderr


@pytest.mark.django_db
def test_health_reports_every_service(client):
    heartbeat_record(queues=list(QUEUES))
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
        "storage": "ok",
        "scanner": "disabled",
        "worker": "ok",
    }


@pytest.mark.django_db
def test_health_fails_when_the_broker_is_down(client):
    heartbeat_record(queues=list(QUEUES))
    with mock.patch("kombu.Connection.ensure_connection", side_effect=ConnectionRefusedError):
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.django_db
def test_no_template_has_inline_scripts_or_styles():
    for template in (ROOT / "templates").rglob("*.html"):
        if template.name == "supplement.html":
            continue  # rendered to PDF by WeasyPrint, never served to a browser
        text = template.read_text()
        assert "<script>" not in text and " style=" not in text and "<style" not in text, template


@pytest.mark.django_db
def test_favicon_is_served_from_the_static_files(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.url.endswith("favicon.svg")
