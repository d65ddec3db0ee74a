"""Security tests drive the real bot through the sandbox as an attacker would: the stack and
the people of tests/e2e."""

from tests.e2e.conftest import admin, stack, staff  # noqa: F401  (fixtures used here)
