#!/usr/bin/env python3
"""Zero set-up entry point for newcomers and CI.

    python3 dev.py start [main.py args...]   # the bot on its embedded default (SQLite + sandbox)
    python3 dev.py test  [pytest args...]    # the whole test suite

Both create `.venv/` next to this file on first use and (re)install the project with its
`dev` extra whenever `pyproject.toml` changed, then run inside that virtualenv.
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


def ensure_environment() -> Path:
    if sys.version_info < (3, 11):
        sys.exit("Нужен Python 3.11 или новее (сейчас %d.%d)." % sys.version_info[:2])
    python = venv_python()
    if not python.exists():
        print("Создаю виртуальное окружение .venv …", flush=True)
        venv.create(VENV, with_pip=True)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != digest:
        print("Устанавливаю зависимости (один раз) …", flush=True)
        subprocess.check_call(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "-e", f"{ROOT}[dev]"],
            cwd=ROOT,
        )
        STAMP.write_text(digest)
    return python


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"start", "test"}:
        print(__doc__.strip())
        return 2
    python = ensure_environment()
    command, rest = argv[0], argv[1:]
    if command == "start":
        args = [str(python), str(ROOT / "main.py"), *rest]
    else:
        args = [str(python), "-m", "pytest", *rest]
    os.chdir(ROOT)
    if os.name == "nt":  # os.execv does not replace the process on Windows
        return subprocess.call(args)
    os.execv(args[0], args)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
