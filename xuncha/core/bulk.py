"""Bulk inserts by PostgreSQL's COPY, for imports.

``bulk_create`` spends about half of a 10,000-row insert preparing each
field of each row as a query parameter and having PostgreSQL parse one
enormous INSERT; COPY takes the same rows as text in one stream. On other
databases (SQLite in development) these fall back to ``bulk_create``.
"""

import datetime
import decimal
import io
import uuid

from django.db import connections, router


def csv_field(value) -> str:
    """A value as a field of COPY's CSV format. NULL is the unquoted empty
    field; text is always quoted, so that no text (an empty one, or one
    reading "\\N") is ever taken for NULL."""
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: a bool is an int
        return "t" if value else "f"
    if isinstance(value, int | float | decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.date | datetime.time):  # datetime is a date
        return value.isoformat()
    raise TypeError(f"COPY 不能写入 {type(value).__name__} 类型的值")


def copy_lines(
    table: str, columns: list[str] | tuple[str, ...], lines: list[str], *, using: str = "default"
) -> None:
    """Send CSV ``lines`` (fields made by csv_field) into ``columns`` of
    ``table`` in one COPY."""
    connection = connections[using]
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {quote(table)} ({names}) FROM STDIN WITH (FORMAT csv)",
            io.StringIO("\n".join(lines) + "\n"),
        )


def copy_create(model, objs: list) -> list:
    """Insert unsaved ``objs`` as ``bulk_create`` does: every field prepared
    by the field itself (defaults, auto_now dates, foreign keys from their
    objects), the primary keys taken from the table's own sequence and set
    on the objects, which are left saved. No signals are sent and ``save``
    is not called, as with bulk_create.

    For models of plain columns (text, numbers, dates, booleans, keys):
    csv_field refuses anything else (a JSON or array field's adapter) with
    TypeError before a row is sent, rather than write it wrongly."""
    if not objs:
        return objs
    if any(obj.pk is not None for obj in objs):
        raise ValueError("copy_create 只写入新对象：对象已有主键")
    # The connection itself, not django.db.connection: every attribute read
    # through that proxy looks up the thread's connection again, and the
    # fields read it for each of the rows' values.
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objs, batch_size=2000)
    opts = model._meta
    fields = [field for field in opts.concrete_fields if field is not opts.pk]
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="copy_create")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [opts.db_table, opts.pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    lines = []
    for obj, pk in zip(objs, ids, strict=True):
        values = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
        lines.append(",".join([str(pk), *map(csv_field, values)]))
    columns = [opts.pk.column, *(field.column for field in fields)]
    copy_lines(opts.db_table, columns, lines, using=connection.alias)
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, connection.alias
    return objs
