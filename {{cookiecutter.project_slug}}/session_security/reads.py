"""The per-request reads: a row and its related rows in one query, compiled once.

Two reads run on every authenticated request: the stored session of the
database engines (with its registry row and user, see ``backends.db``) and
the registry row by primary key (with its user, see ``registry.lookup``).
Their SQL never changes but for the values looked up, yet the ORM compiles a
join on every call, which costs more than running it. A ``JoinedRead``
compiles it once per database connection and turns the row into model
instances with Django's own ``from_db`` and the columns' own converters.
"""

import weakref
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
    compiler: object
    converters: dict
    segments: tuple


class JoinedRead:
    """``model`` filtered by ``lookups`` (in that order), with ``related`` joined.

    ``related`` is a ``select_related`` path (``"user"``, ``"record__user"``);
    a related row that the (outer) join did not find is ``None``.
    """

    def __init__(self, model, related, lookups):
        self.model, self.related, self.lookups = model, related, tuple(lookups)
        self.compiled = weakref.WeakKeyDictionary()

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
        converters = compiler.get_converters(columns)
        compiled = Compiled(sql, compiler, converters, segments)
        self.compiled[connection] = compiled
        return compiled

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
        compiled = self.compiled.get(connection) or self.compile(connection, values)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, self.prepared(connection, values))
            row = cursor.fetchone()
        if row is None:
            return None
        if compiled.converters:
            (row,) = compiled.compiler.apply_converters([row], compiled.converters)
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
