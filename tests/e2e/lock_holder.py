"""A second process holding the write lock of an SQLite database, as `main.py admin add` beside
a busy bot does: `python -m tests.e2e.lock_holder PATH` prints «locked» once it holds
`BEGIN IMMEDIATE`, and commits (printing «released») when a line arrives on its stdin."""

from __future__ import annotations

import sqlite3
import sys


def main(path: str) -> None:
    connection = sqlite3.connect(path, isolation_level=None, timeout=30)
    connection.execute("BEGIN IMMEDIATE")
    print("locked", flush=True)
    sys.stdin.readline()
    connection.execute("COMMIT")
    connection.close()
    print("released", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
