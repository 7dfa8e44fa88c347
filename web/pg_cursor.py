"""A psycopg cursor whose ``description`` builds its column objects only when someone reads them.

psycopg builds a ``Column`` (name decoded, type looked up) for every column of every result when
``description`` is read, about 0.9 µs a column: 40 µs for a row of the candidate and its session, which
every page loads. SQLAlchemy reads ``description`` after every SELECT but, for a statement it has compiled
before (all of ours after the first time), only to see that it is not None: its result metadata is cached.
So here the columns are built on first use, from the result the cursor held when ``description`` was read;
what they say is psycopg's own.
"""
from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

import psycopg
from psycopg import pq

_ROWS = (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.SINGLE_TUPLE, pq.ExecStatus.TUPLES_CHUNK)


class LazyDescriptionCursor(psycopg.Cursor):
    @property
    def description(self) -> Sequence | None:
        result = self.pgresult
        if result and (result.nfields or result.status in _ROWS):  # psycopg's test for "returned rows"
            return _Description(self, result)
        return None


class _Description(Sequence):
    """The list of ``psycopg.Column`` of one result, built when first indexed or iterated."""

    __slots__ = ("_source", "_count", "_columns")

    def __init__(self, cursor: psycopg.Cursor, result) -> None:
        # what psycopg's Column reads from its cursor, kept: the cursor may have moved on by then
        self._source = SimpleNamespace(pgresult=result, _encoding=cursor._encoding, adapters=cursor.adapters)
        self._count = result.nfields
        self._columns: list | None = None

    def _built(self) -> list:
        if self._columns is None:
            self._columns = [psycopg.Column(self._source, i) for i in range(self._count)]
        return self._columns

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self._built()[index]

    def __iter__(self):
        return iter(self._built())

    def __repr__(self) -> str:
        return repr(self._built())
