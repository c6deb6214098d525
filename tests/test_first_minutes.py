"""The first minutes with a fresh clone: the README says how to choose the address and how long
the first `make run` takes, and the first install says what it is doing instead of staying silent."""

import re
import shutil
import subprocess

import pytest

from .workers import ROOT

pytestmark = pytest.mark.skipif(not shutil.which("make"), reason="needs make")


def dry_run(*arguments: str, venv: str) -> str:
    """What `make` would run on a clone without .venv/ (nothing is run)."""
    result = subprocess.run(
        ["make", "-n", "-B", f"VENV={venv}", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": ""},
    )
    return result.stdout


def test_make_run_listens_on_the_chosen_address_and_port(tmp_path):
    commands = dry_run("run", "PORT=8001", "HOST=0.0.0.0", venv=str(tmp_path / "venv"))
    assert re.search(r"portal\.devrun 0\.0\.0\.0:8001$", commands, re.MULTILINE)


def test_the_readme_says_how_to_choose_the_address_and_how_long_the_first_run_takes():
    readme = (ROOT / "README.md").read_text()
    assert "make run PORT=8001 HOST=0.0.0.0" in readme
    assert re.search(r"first `make run` takes about \w+ minutes", readme)


def test_the_first_install_shows_its_progress(tmp_path):
    commands = dry_run("install", venv=str(tmp_path / "venv")).splitlines()
    big_install = next(line for line in commands if '".[test]"' in line)
    assert "--quiet" not in big_install  # pip names each package as it fetches and installs it
    announced = [line for line in commands if line.startswith("echo ")]
    assert len(announced) >= 2  # one line per step, before the step


@pytest.mark.parametrize("target", ["test", "run", "bench", "bench-scale", "mutate"])
def test_every_command_of_the_readme_installs_first_on_a_fresh_clone(tmp_path, target):
    """`make test` alone on a fresh clone: the install comes before the first use of .venv/."""
    venv = str(tmp_path / "venv")
    commands = dry_run(target, venv=venv).splitlines()
    install = next(number for number, line in enumerate(commands) if "-m venv" in line)
    first_use = next(number for number, line in enumerate(commands) if line.startswith(f"{venv}/bin/"))
    assert install < first_use, commands[: first_use + 1]
