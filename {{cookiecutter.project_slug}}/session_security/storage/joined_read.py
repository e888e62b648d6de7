"""The per-request reads: a row and its related rows in one query, compiled once.

Two reads run on every authenticated request: the stored session of the
database engines (with its registry row and user, see ``storage.db``) and
the registry row by primary key (with its user, see ``registry.lookup``).
Their SQL never changes but for the values looked up, yet the ORM compiles a
join on every call, which costs more than running it. A ``JoinedRead``
compiles it once per database (alias and engine) and turns the row into model
instances with Django's own ``from_db`` and the columns' own converters.

Once per database, not per connection object: under ASGI every request gets
a connection object of its own, so a cache keyed by connection would compile
on every request and keep every request's connection alive. The cache holds
no connection: the backend's converters are kept as plain functions and run
with the connection of the call.
"""

from dataclasses import dataclass
from functools import cached_property

from django.db import connections, router


@dataclass(frozen=True)
class Segment:
    """The columns of one model in the joined row, and its relation to the next."""

    model: type
    attnames: list
    pk_index: int
    relation: object  # the field to the next model, or ``None`` for the last


@dataclass(frozen=True)
class Compiled:
    sql: str
    converters: tuple  # (position, functions, expression) for the columns that need one
    segments: tuple

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
    """A backend converter (a method of the compiling connection's ``ops``), unbound.

    Called as converters are, ``(value, expression, connection)``, it runs on the
    ``ops`` of the connection it is given: the cache then pins no connection.
    """

    def converter(value, expression, connection):
        return method(connection.ops, value, expression, connection)

    return converter


class JoinedRead:
    """``model`` filtered by ``lookups`` (in that order), with ``related`` joined.

    ``related`` is a ``select_related`` path (``"user"``, ``"record__user"``);
    a related row that the (outer) join did not find is ``None``.
    """

    def __init__(self, model, related, lookups):
        self.model, self.related, self.lookups = model, related, tuple(lookups)
        self.compiled = {}  # by ``database(connection)``

    @staticmethod
    def database(connection):
        """What the SQL depends on: the alias and its engine, not the connection object."""
        return connection.alias, connection.settings_dict["ENGINE"]

    def compile(self, connection, values):
        """Compile the query, checking that it has the shape this class relies on."""
        query = self.model._base_manager.select_related(self.related)
        for lookup, value in zip(self.lookups, values, strict=True):
            query = query.filter(**{lookup: value})  # one at a time: the WHERE keeps the order
        query = query.order_by()
        compiler = query.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        columns = [expression for expression, _, _ in compiler.select]
        segments = self.segments()
        expected = [name for segment in segments for name in segment.attnames]
        if [column.target.attname for column in columns] != expected:
            raise RuntimeError(f"unexpected columns in {sql}")
        if list(params) != self.prepared(connection, values):
            raise RuntimeError(f"unexpected parameters in {sql}: {params}")
        compiled = Compiled(sql, self.converters(compiler, columns), segments)
        self.compiled[self.database(connection)] = compiled
        return compiled

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

    def segments(self):
        segments, model = [], self.model
        for name in [*self.related.split("__"), None]:
            relation = model._meta.get_field(name) if name else None
            attnames = [field.attname for field in model._meta.concrete_fields]
            pk_index = attnames.index(model._meta.pk.attname)
            segments.append(Segment(model, attnames, pk_index, relation))
            model = relation.related_model if relation else None
        return tuple(segments)

    @cached_property
    def fields(self):
        return [self.model._meta.get_field(lookup.split("__")[0]) for lookup in self.lookups]

    def prepared(self, connection, values):
        pairs = zip(self.fields, values, strict=True)
        return [field.get_db_prep_value(value, connection) for field, value in pairs]

    def __call__(self, *values):
        """The first model's instance (its related ones cached on it), or ``None``."""
        connection = connections[router.db_for_read(self.model)]
        compiled = self.compiled.get(self.database(connection))
        compiled = compiled or self.compile(connection, values)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, self.prepared(connection, values))
            row = cursor.fetchone()
        if row is None:
            return None
        row = compiled.converted(row, connection)
        return self.instances(connection.alias, compiled.segments, row)

    def instances(self, alias, segments, row):
        found, start = [], 0
        for segment in segments:
            values = row[start : start + len(segment.attnames)]
            start += len(segment.attnames)
            if values[segment.pk_index] is None:  # the outer join found no row
                found.append(None)
                break
            found.append(segment.model.from_db(alias, segment.attnames, values))
        for segment, parent, child in zip(segments, found, found[1:], strict=False):
            segment.relation.set_cached_value(parent, child)
        return found[0]
