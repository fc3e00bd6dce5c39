"""The PostgreSQL store on psycopg's asyncio connection, for `pengaduan.desk.AsyncDesk`.

The store's logic (validation, read-model rows, schema upgrades, conflicts) is written once,
against psycopg's synchronous API. To run it on an event loop without a thread, the store's
code runs in a greenlet (`run`), and its connection is a thin synchronous face over a
`psycopg.AsyncConnection` (`_Connection`): each call hands psycopg's coroutine to the event
loop and resumes the store's code with the result, so the loop serves other requests while
the server answers. This is the bridge SQLAlchemy's asyncio support uses.

A store on this bridge is used by one operation at a time (`AsyncDesk` serialises them): the
store's lock is a thread lock, and every greenlet runs on the loop's one thread.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from pengaduan._store_postgres import PostgresStore
from pengaduan.exceptions import MissingExtraError

__all__ = ["BridgedPostgresStore", "run"]

T = TypeVar("T")


def _greenlet() -> Any:
    try:
        return importlib.import_module("greenlet")
    except ImportError:
        raise MissingExtraError("AsyncDesk on PostgreSQL", "postgres") from None


def _await(awaitable: Awaitable[T]) -> T:
    """Wait for `awaitable` on the event loop, from the store's code inside `run`."""
    current = _greenlet().getcurrent()
    driver = getattr(current, "pengaduan_driver", None)
    if driver is None:
        close = getattr(awaitable, "close", None)
        if close is not None:
            close()  # a coroutine never to be awaited
        raise RuntimeError("the asyncio PostgreSQL store is used only through AsyncDesk")
    result: T = driver.switch(awaitable)
    return result


async def run(function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run the synchronous `function` on the event loop, its database waits awaited."""
    greenlet = _greenlet()
    worker = greenlet.greenlet(function)
    worker.pengaduan_driver = greenlet.getcurrent()
    step = worker.switch(*args, **kwargs)
    while not worker.dead:
        try:
            value = await step
        except BaseException:
            step = worker.throw(*sys.exc_info())
        else:
            step = worker.switch(value)
    result: T = step
    return result


class _Copy:
    def __init__(self, copy: Any) -> None:
        self._copy = copy

    def write_row(self, row: Sequence[Any]) -> None:
        _await(self._copy.write_row(row))

    def write(self, data: bytes | str) -> None:
        _await(self._copy.write(data))


class _Cursor:
    """psycopg's `AsyncCursor` with the synchronous `Cursor`'s methods."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)

    def execute(self, query: Any, params: Any = None, **options: Any) -> _Cursor:
        _await(self._cursor.execute(query, params, **options))
        return self

    def executemany(self, query: Any, params_seq: Any, **options: Any) -> None:
        _await(self._cursor.executemany(query, params_seq, **options))

    def fetchone(self) -> Any:
        return _await(self._cursor.fetchone())

    def fetchmany(self, size: int = 0) -> list[Any]:
        rows: list[Any] = _await(self._cursor.fetchmany(size))
        return rows

    def fetchall(self) -> list[Any]:
        rows: list[Any] = _await(self._cursor.fetchall())
        return rows

    def __iter__(self) -> Iterator[Any]:
        while rows := self.fetchmany(1000):
            yield from rows

    @contextmanager
    def copy(self, statement: Any, params: Any = None) -> Iterator[_Copy]:
        with _entered(self._cursor.copy(statement, params)) as copy:
            yield _Copy(copy)

    def close(self) -> None:
        _await(self._cursor.close())

    def __enter__(self) -> _Cursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def _entered(manager: Any) -> Iterator[Any]:
    """An async context manager, entered and left from synchronous code."""
    value = _await(manager.__aenter__())
    try:
        yield value
    except BaseException as error:
        if not _await(manager.__aexit__(type(error), error, error.__traceback__)):
            raise
    else:
        _await(manager.__aexit__(None, None, None))


class _Connection:
    """psycopg's `AsyncConnection` with the synchronous `Connection`'s methods."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    @property
    def closed(self) -> bool:
        return bool(self._connection.closed)

    @property
    def broken(self) -> bool:
        return bool(self._connection.broken)

    @property
    def info(self) -> Any:
        return self._connection.info

    def fileno(self) -> int:
        return int(self._connection.fileno())

    def execute(self, query: Any, params: Any = None, **options: Any) -> _Cursor:
        return _Cursor(_await(self._connection.execute(query, params, **options)))

    def cursor(self, *args: Any, **options: Any) -> _Cursor:
        return _Cursor(self._connection.cursor(*args, **options))

    @contextmanager
    def transaction(self, *args: Any, **options: Any) -> Iterator[Any]:
        with _entered(self._connection.transaction(*args, **options)) as transaction:
            yield transaction

    def close(self) -> None:
        _await(self._connection.close())


class BridgedPostgresStore(PostgresStore):
    """`PostgresStore` on psycopg's asyncio connection; build and use it inside `run`."""

    on_event_loop = True

    def _sleep(self, seconds: float) -> None:
        """Wait on the event loop (the desk's backoff after a conflict)."""
        import asyncio

        _await(asyncio.sleep(seconds))

    def _new_connection(self) -> Any:
        connection = _await(self._psycopg.AsyncConnection.connect(self._conninfo, autocommit=True))
        return _Connection(connection)
