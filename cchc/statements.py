"""SQL statements written once per kind of database, for the reads every request makes (the
signed-in user, their roles, the version of a criteria set): Django takes longer to build
such a query (0.2–0.5 ms) than SQLite to answer it. Each statement is written from the
models' own table and column names, quoted by the database's rules, the first time a
process asks for it; values always go as parameters, never into the text."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.transaction import TransactionManagementError

_WRITTEN: dict[tuple[Callable[[BaseDatabaseWrapper], str], str], str] = {}
_LOCK = threading.Lock()


def written_once(
    write: Callable[[BaseDatabaseWrapper], str], connection: BaseDatabaseWrapper
) -> str:
    """What ``write(connection)`` gives, written once per kind of database."""
    key = (write, connection.vendor)
    statement = _WRITTEN.get(key)
    if statement is None:
        statement = write(connection)
        with _LOCK:
            _WRITTEN[key] = statement
    return statement


def table(connection: BaseDatabaseWrapper, model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def column(connection: BaseDatabaseWrapper, model: Any, name: str) -> str:
    """The quoted column of the field ``name`` (``"unit"`` gives ``"unit_id"``)."""
    return str(connection.ops.quote_name(model._meta.get_field(name).column))


class _ModelRead:
    """What a read of ``model`` with the foreign keys ``related`` of it shares: the columns
    and joins (``selected``), and the objects built from a row with the converters Django's
    own query applies (``_built``)."""

    def __init__(self, model: Any, related: tuple[str, ...] = ()) -> None:
        self.model = model
        self.related = [model._meta.get_field(name) for name in related]
        for field in self.related:
            if not field.many_to_one:
                raise ValueError(f"{model.__name__}.{field.name} is not a foreign key of it")
        self.models = [model, *(field.related_model for field in self.related)]
        for each in self.models:
            for field in each._meta.concrete_fields:
                if getattr(field, "decoder", None) is not None:
                    # Django selects such a column as text on some databases.
                    raise ValueError(f"{each.__name__}.{field.name} has a JSON decoder")
        # Per model: its columns' names for ``from_db`` and where its key is among them.
        self.names = [[f.attname for f in each._meta.concrete_fields] for each in self.models]
        self.keys = [each._meta.concrete_fields.index(each._meta.pk) for each in self.models]
        self._converters: weakref.WeakKeyDictionary[
            BaseDatabaseWrapper, list[list[tuple[Any, list[Callable[..., Any]]]]]
        ] = weakref.WeakKeyDictionary()

    def selected(self, connection: BaseDatabaseWrapper) -> str:
        """SELECT … FROM … with the related tables joined: the model's table is ``T0``, the
        related ones ``T1``, ``T2``… in the order of ``related``."""
        quote = connection.ops.quote_name
        columns = [
            f"{quote(f'T{n}')}.{quote(field.column)}"
            for n, model in enumerate(self.models)
            for field in model._meta.concrete_fields
        ]
        joins = "".join(
            f" LEFT OUTER JOIN {table(connection, field.related_model)} {quote(f'T{n}')}"
            f" ON {quote(f'T{n}')}.{quote(field.target_field.column)}"
            f" = {quote('T0')}.{quote(field.column)}"
            for n, field in enumerate(self.related, start=1)
        )
        return (
            f"SELECT {', '.join(columns)} FROM {table(connection, self.model)} {quote('T0')}{joins}"
        )

    def _built(
        self,
        row: tuple[Any, ...],
        alias: str,
        connection: BaseDatabaseWrapper,
        converters_of: list[list[tuple[Any, list[Callable[..., Any]]]]],
    ) -> Any:
        """The object of one row, its related objects cached on it."""
        objects: list[Any] = []
        start = 0
        for n, converters in enumerate(converters_of):
            values = []
            for value, (expression, converts) in zip(row[start:], converters, strict=False):
                for convert in converts:
                    value = convert(value, expression, connection)
                values.append(value)
            start += len(converters)
            if n and values[self.keys[n]] is None:
                objects.append(None)  # no related row (a null key)
            else:
                objects.append(self.models[n].from_db(alias, self.names[n], values))
        found = objects[0]
        for field, related in zip(self.related, objects[1:], strict=True):
            field.set_cached_value(found, related)
        return found

    def _converters_of(
        self, connection: BaseDatabaseWrapper
    ) -> list[list[tuple[Any, list[Callable[..., Any]]]]]:
        """Each model's columns with what Django's query applies to their values (as its
        compiler finds them; they are the connection's own methods, so kept per
        connection)."""
        found = self._converters.get(connection)
        if found is None:
            found = [
                [
                    (
                        expression := field.get_col(model._meta.db_table),
                        connection.ops.get_db_converters(expression)
                        + expression.get_db_converters(connection),
                    )
                    for field in model._meta.concrete_fields
                ]
                for model in self.models
            ]
            self._converters[connection] = found
        return found


class KeyRead(_ModelRead):
    """``model.objects.select_related(*related).get(pk=…)``, written once per kind of
    database: the same columns, joins and objects (every value through the converters
    Django's own query applies, each related object cached on its row as ``select_related``
    caches it), without building the query on each call. ``related`` names foreign keys of
    ``model`` itself. Nothing is kept between calls but the statement.

    ``lock``: ``select_for_update(of=("self",))`` too: the row of ``model`` (not the related
    ones) stays locked to the end of the transaction where the database locks rows; on
    SQLite the transaction itself holds the write lock. As with Django's, reading with a
    lock outside a transaction is an error, on every database."""

    def __init__(self, model: Any, related: tuple[str, ...] = (), *, lock: bool = False) -> None:
        super().__init__(model, related)
        self.lock = lock

    def statement(self, connection: BaseDatabaseWrapper) -> str:
        quote = connection.ops.quote_name
        key = f"{quote('T0')}.{quote(self.model._meta.pk.column)}"
        lock = ""
        if self.lock and connection.features.has_select_for_update:
            # Only the model's own row: the related ones are read, not locked (and a row
            # on the nullable side of an outer join cannot be locked).
            lock = (
                f" FOR UPDATE OF {quote('T0')}"
                if connection.features.has_select_for_update_of
                else " FOR UPDATE"
            )
        return f"{self.selected(connection)} WHERE {key} = %s{lock}"

    def get(self, pk: Any) -> Any:
        """The object with key ``pk``, its related objects cached on it; None if none."""
        alias = self.model._default_manager.db
        connection = connections[alias]
        if self.lock and connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        key = self.model._meta.pk.get_prep_value(pk)
        if isinstance(key, int):
            # A key no column holds matches nothing, as Django's lookup has it (rather than
            # an overflow error from the database).
            low, high = connection.ops.integer_field_range(self.model._meta.pk.get_internal_type())
            if (low is not None and key < low) or (high is not None and key > high):
                return None
        with connection.cursor() as cursor:
            cursor.execute(written_once(self.statement, connection), [key])
            row = cursor.fetchone()
        if row is None:
            return None
        return self._built(row, alias, connection, self._converters_of(connection))


class RowsRead(_ModelRead):
    """``model.objects.select_related(*related).filter(**{by: value}).order_by(*order)``,
    written once per kind of database as ``KeyRead`` is: the rows of ``model`` whose foreign
    key ``by`` holds a value, with their related objects. ``by`` may go through foreign keys
    (``"item__assessment"``: the rows whose item belongs to the assessment); ``order`` names
    fields of ``model`` (``"-"`` before a name: descending; ``"pk"``: the key). Without
    ``order`` the rows come in the order of their keys."""

    def __init__(
        self,
        model: Any,
        related: tuple[str, ...] = (),
        *,
        by: str,
        order: tuple[str, ...] = ("pk",),
    ) -> None:
        super().__init__(model, related)
        self.path = []
        current = model
        for name in by.split("__"):
            field = current._meta.get_field(name)
            if not field.many_to_one:
                raise ValueError(f"{current.__name__}.{name} is not a foreign key of it")
            self.path.append(field)
            current = field.related_model
        self.order = [
            (
                model._meta.pk
                if name.lstrip("-") == "pk"
                else model._meta.get_field(name.lstrip("-")),
                name.startswith("-"),
            )
            for name in order
        ]

    def statement(self, connection: BaseDatabaseWrapper) -> str:
        quote = connection.ops.quote_name
        joins, holder = [], "T0"
        for n, field in enumerate(self.path[:-1], start=1):
            joins.append(
                f" INNER JOIN {table(connection, field.related_model)} {quote(f'J{n}')}"
                f" ON {quote(f'J{n}')}.{quote(field.target_field.column)}"
                f" = {quote(holder)}.{quote(field.column)}"
            )
            holder = f"J{n}"
        where = f"{quote(holder)}.{quote(self.path[-1].column)} = %s"
        order = ", ".join(
            f"{quote('T0')}.{quote(field.column)}{' DESC' if descending else ' ASC'}"
            for field, descending in self.order
        )
        return (
            f"{self.selected(connection)}{''.join(joins)} WHERE {where}"
            f"{f' ORDER BY {order}' if order else ''}"
        )

    def rows(self, value: Any) -> list[Any]:
        """The rows whose ``by`` holds ``value`` (a key, or the object itself), each with its
        related objects cached on it."""
        alias = self.model._default_manager.db
        connection = connections[alias]
        last = self.path[-1]
        if isinstance(value, last.related_model):
            value = getattr(value, last.target_field.attname)
        key = last.target_field.get_prep_value(value)
        if isinstance(key, int):
            low, high = connection.ops.integer_field_range(last.target_field.get_internal_type())
            if (low is not None and key < low) or (high is not None and key > high):
                return []
        with connection.cursor() as cursor:
            cursor.execute(written_once(self.statement, connection), [key])
            found = cursor.fetchall()
        converters = self._converters_of(connection)
        return [self._built(row, alias, connection, converters) for row in found]
