"""The production path is proven for real: PostgreSQL and Redis, not only SQLite and files."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from .conftest import ON_CI, POSTGRES_URL, require_service

ROOT = Path(__file__).resolve().parents[1]
# The tests where PostgreSQL's locking and constraints matter most.
ON_POSTGRES = [
    "tests/certificates/test_issuance.py",
    "tests/assessments/test_reconciliation.py",
    "tests/accounts/test_sign_in_throttling.py",
    "tests/accounts/test_email_case.py",
    "tests/assessments/test_scoring.py",
    "tests/assessments/test_assessment_rules.py",
]


@pytest.mark.django_db
def test_on_ci_the_whole_suite_runs_on_postgresql_and_redis():
    if not ON_CI:
        pytest.skip("only CI runs the whole suite on PostgreSQL and Redis")
    assert connection.vendor == "postgresql"
    assert settings.CELERY_BROKER_URL.startswith("redis://")


@pytest.mark.django_db
def test_the_procedure_on_postgresql_when_it_is_reachable():
    if connection.vendor == "postgresql":
        pytest.skip("this run is on PostgreSQL already")
    require_service("PostgreSQL", POSTGRES_URL)
    env = {**os.environ, "DATABASE_URL": POSTGRES_URL}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *ON_POSTGRES],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout.splitlines()[-1]
