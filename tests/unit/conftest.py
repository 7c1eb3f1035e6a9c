"""The unit folder stays pure: no server, no database, no subprocess, no network. Every test
here runs with those doors shut, and one that tries a door fails, naming it; such a test
belongs in tests/integration/.

The doors, shut for the test's setup, call and teardown (session fixtures that ran earlier,
e.g. the sanctions screener, are not watched): binding or connecting a socket (an aiohttp test
server or client, a partner simulator, a PostgreSQL server), creating an SQLAlchemy engine
(sync or async), opening a SQLite file (sqlite3.connect, which aiosqlite calls too) and starting
a process (subprocess.Popen, which asyncio's subprocesses use). asyncio's own loop needs none of
them (its wake-up pipe is a socketpair)."""

from __future__ import annotations

import socket
import sqlite3
import subprocess

import pytest
from sqlalchemy.engine import Engine


def _refused(door: str):
    def refuse(*args, **kwargs):
        raise AssertionError(f"a unit test may not {door}: move it to tests/integration/")

    return refuse


@pytest.fixture(autouse=True)
def _pure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "bind", _refused("bind a socket"))
    monkeypatch.setattr(socket.socket, "connect", _refused("connect a socket"))
    monkeypatch.setattr(socket.socket, "connect_ex", _refused("connect a socket"))
    monkeypatch.setattr(Engine, "__init__", _refused("create an SQLAlchemy engine"))
    monkeypatch.setattr(sqlite3, "connect", _refused("open a SQLite database"))
    monkeypatch.setattr(subprocess.Popen, "__init__", _refused("start a subprocess"))
