"""The per-request reads: a row and its related rows in one query, compiled once per database.

The ORM would compile the join on every call, which costs more than running it.
Should Django's compiler change shape, the reads fall back to the ORM (``orm_read``).
"""

from dataclasses import dataclass
from functools import cached_property

from django.db import DatabaseError, connections, router

from session_security.storage.orm_read import Fallback, compiled_off, orm_read


@dataclass(frozen=True)
class Node:
    """One model's columns in the joined row, and how it hangs on its parent."""

    model: type
    start: int
    attnames: tuple
    pk_index: int
    parent: int | None  # the index of the parent node (``None``: the row's own model)
    local_setter: object = None  # caches the instance on its parent
    remote_setter: object = None  # caches the parent on the instance


@dataclass(frozen=True)
class Compiled:
    sql: str
    converters: tuple  # (position, functions, expression) for the columns that need one
    nodes: tuple

    def converted(self, row, connection):
        """``row`` with each column converted as the ORM would (dates, JSON, UUIDs...)."""
        row = list(row)
        for position, functions, expression in self.converters:
            value = row[position]
            for function in functions:
                value = function(value, expression, connection)
            row[position] = value
        return row


def on_connection(method):
    """A backend converter, unbound: it runs on the ``ops`` of the call's connection (pins none)."""

    def converter(value, expression, connection):
        return method(connection.ops, value, expression, connection)

    return converter


class JoinedRead:
    """``model`` filtered by ``lookups``, with ``related()``'s paths joined (called at compile)."""

    every = []  # each read made, for the system check that compiles them (``probe``)

    def __init__(self, model, related, lookups, example):
        self.model, self.related, self.lookups = model, related, tuple(lookups)
        self.example = example  # values of the lookups' types, to compile without a request
        self.compiled = {}  # by ``database(connection)``
        JoinedRead.every.append(self)

    @staticmethod
    def database(connection):
        """What the SQL depends on: the alias and its engine, not the connection object."""
        return connection.alias, connection.settings_dict["ENGINE"]

    def compile(self, connection, values):
        """Compile the query, checking that it has the shape this class relies on."""
        query = self.model._base_manager.select_related(*self.related())
        for lookup, value in zip(self.lookups, values, strict=True):
            query = query.filter(**{lookup: value})  # one at a time: the WHERE keeps the order
        query = query.order_by()
        compiler = query.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        columns = [expression for expression, _, _ in compiler.select]
        nodes = tuple(self.nodes(compiler.klass_info, columns))
        if sum(len(node.attnames) for node in nodes) != len(columns):
            raise RuntimeError(f"unexpected extra columns in {sql}")
        if list(params) != self.prepared(connection, values):
            raise RuntimeError(f"unexpected parameters in {sql}: {params}")
        compiled = Compiled(sql, self.converters(compiler, columns), nodes)
        self.compiled[self.database(connection)] = compiled
        return compiled

    def nodes(self, klass_info, columns, parent=None, found=None):
        """The compiler's models, parents first, each a run of all its fields (for ``from_db``)."""
        found = [] if found is None else found
        model = klass_info["model"]
        attnames = tuple(field.attname for field in model._meta.concrete_fields)
        positions = list(klass_info["select_fields"])
        start = positions[0] if positions else -1
        selected = tuple(columns[i].target.attname for i in positions)
        if (
            klass_info.get("from_parent")
            or selected != attnames
            or positions != list(range(start, start + len(attnames)))
        ):
            raise RuntimeError(f"unexpected columns for {model.__name__}: {selected}")
        found.append(
            Node(
                model,
                start,
                attnames,
                attnames.index(model._meta.pk.attname),
                parent,
                klass_info.get("local_setter"),
                klass_info.get("remote_setter"),
            )
        )
        index = len(found) - 1
        for child in klass_info.get("related_klass_infos", ()):
            self.nodes(child, columns, index, found)
        return found

    @staticmethod
    def converters(compiler, columns):
        ops = compiler.connection.ops
        found = []
        for position, (functions, expression) in compiler.get_converters(columns).items():
            functions = [
                on_connection(function.__func__)
                if getattr(function, "__self__", None) is ops
                else function
                for function in functions
            ]
            found.append((position, tuple(functions), expression))
        return tuple(found)

    @cached_property
    def fields(self):
        return [self.model._meta.get_field(lookup.split("__")[0]) for lookup in self.lookups]

    def prepared(self, connection, values):
        pairs = zip(self.fields, values, strict=True)
        return [field.get_db_prep_value(value, connection) for field, value in pairs]

    def probe(self):
        """Compile as a request would, on the read's database, without a query."""
        return self.compile(connections[router.db_for_read(self.model)], self.example())

    def __call__(self, *values):
        """The first model's instance (its related ones cached on it), or ``None``."""
        if compiled_off():
            return orm_read(self.model, self.related(), self.lookups, values)
        try:
            return self.read(values)
        except DatabaseError:
            raise
        except Exception as error:  # noqa: BLE001 - not the shape it was written for: the ORM reads
            # If the ORM fails too, its error stands: no shape changed, and the fast path stays on.
            row = orm_read(self.model, self.related(), self.lookups, values)
            Fallback.turn_on(self, error)
            return row

    def read(self, values):
        connection = connections[router.db_for_read(self.model)]
        compiled = self.compiled.get(self.database(connection))
        compiled = compiled or self.compile(connection, values)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, self.prepared(connection, values))
            row = cursor.fetchone()
        if row is None:
            return None
        row = compiled.converted(row, connection)
        return self.instances(connection.alias, compiled.nodes, row)

    @staticmethod
    def instances(alias, nodes, row):
        found = []
        for node in nodes:
            parent = found[node.parent] if node.parent is not None else None
            values = row[node.start : node.start + len(node.attnames)]
            instance = None
            if values[node.pk_index] is not None:  # else the outer join found no row
                instance = node.model.from_db(alias, node.attnames, values)
            if parent is not None:
                node.local_setter(parent, instance)
                if instance is not None:
                    node.remote_setter(instance, parent)
            found.append(instance)
        return found[0]
