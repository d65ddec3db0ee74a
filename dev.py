#!/usr/bin/env python3
"""Zero set-up entry point for newcomers and CI.

    python3 dev.py start [main.py args...]   # the bot on its embedded default (SQLite + sandbox)
    python3 dev.py test  [pytest args...]    # the whole test suite (TEST_WORKERS=3 processes)
    python3 dev.py check                     # ruff check and mypy (settings in pyproject.toml)

Each creates `.venv/` next to this file on first use and (re)installs the project whenever
`pyproject.toml` changed (`test` and `check` with its `dev` extra), then runs inside that
virtualenv.
Only the Python standard library is used here, so this works on a fresh machine.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".installed-from"


def venv_python() -> Path:
    bin_dir = "Scripts" if os.name == "nt" else "bin"
    return VENV / bin_dir / ("python.exe" if os.name == "nt" else "python")


def install(python: Path, target: str) -> None:
    """Install `target` (the project, maybe with an extra) into .venv. uv — fetched from PyPI
    into .venv by pip — installs several times faster than pip; pip does it if uv is not to
    be had for this machine."""
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    if subprocess.call([*pip, "uv"], cwd=ROOT) == 0:
        uv = [str(python), "-m", "uv", "pip", "install", "--quiet", "--python", str(python)]
        subprocess.check_call([*uv, "-e", target], cwd=ROOT)
    else:
        subprocess.check_call([*pip, "-e", target], cwd=ROOT)


def ensure_environment(*, dev: bool) -> Path:
    """.venv with the project installed; with `dev`, with its test tools too (the bot alone
    needs fewer packages, so the first `start` is quicker than the first `test`)."""
    if sys.version_info < (3, 11):
        sys.exit("Нужен Python 3.11 или новее (сейчас %d.%d)." % sys.version_info[:2])
    python = venv_python()
    if not python.exists():
        print("Создаю виртуальное окружение .venv …", flush=True)
        venv.create(VENV, with_pip=True)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamp = STAMP.read_text().split() if STAMP.exists() else []
    installed = stamp[:1] == [digest] and (not dev or stamp[1:] == ["dev"])
    if not installed:
        print("Устанавливаю зависимости (один раз) …", flush=True)
        install(python, f"{ROOT}[dev]" if dev else str(ROOT))
        STAMP.write_text(f"{digest} dev" if dev else digest)
    return python


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"start", "test", "check"}:
        print(__doc__.strip())
        return 2
    command, rest = argv[0], argv[1:]
    python = ensure_environment(dev=command != "start")
    os.chdir(ROOT)
    if command == "check":
        ruff = subprocess.call([str(python), "-m", "ruff", "check", "bot", "storage", *rest])
        # tests and benchmarks: names that are used but never defined or imported
        ruff = ruff or subprocess.call(
            [str(python), "-m", "ruff", "check", "--select", "F821", "tests", "bench", *rest]
        )
        mypy = subprocess.call([str(python), "-m", "mypy"])  # files: pyproject's [tool.mypy]
        return ruff or mypy
    if command == "start":
        args = [str(python), str(ROOT / "main.py"), *rest]
    else:
        workers = [] if any(a == "-n" or a.startswith(("-n", "--numprocesses")) for a in rest) \
            else ["-n", os.environ.get("TEST_WORKERS", "3")]
        args = [str(python), "-m", "pytest", *workers, *rest]
    if os.name == "nt":  # os.execv does not replace the process on Windows
        return subprocess.call(args)
    os.execv(args[0], args)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
