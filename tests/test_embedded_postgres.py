"""PostgreSQL tests run on a fresh machine too: the session starts its own server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_postgresql_tests_are_not_skipped_without_a_configured_server() -> None:
    """`python3 dev.py test` with no TEST_POSTGRES_URL: a PostgreSQL test runs and passes
    (REQUIRE_POSTGRES=1 turns a skip into a failure)."""
    env = {k: v for k, v in os.environ.items() if k != "TEST_POSTGRES_URL"}
    env["REQUIRE_POSTGRES"] = "1"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_state_dispenser.py::test_unknown_key_has_no_state[postgres]"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=110,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout
