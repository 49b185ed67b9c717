"""Cursor (keyset) pagination over any ordered queryset.

The cursor holds the sort values of the last row a client saw, signed so it cannot be forged into
a type the database would refuse. The next page is "the rows after those values in the same
order", so it stays right while rows are added or removed, and page 5,000 costs what page 1 does.
The order is read from the queryset itself (the course search's relevance, soonest start,
distance or title), so the pages follow whatever order the search chose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.postgres.search import SearchRank
from django.core import signing
from django.db.models import F, FloatField, Func, OrderBy, Q, QuerySet, Value

SALT = "api.cursor"


class BadCursor(ValueError):
    """The cursor was not one this API gave, or belongs to another order."""


@dataclass(frozen=True)
class Key:
    name: str
    descending: bool
    nulls_last: bool
    single_precision: bool = False


class AsReal(Func):
    """A value as single precision. ts_rank gives a ``real``, which reaches Python as the
    shortest decimal that names it; compared as a double, that decimal is not equal to the rank
    it came from, and ties on rank would never end."""

    template = "CAST(%(expressions)s AS real)"
    output_field = FloatField()


def ordering_keys(queryset: QuerySet) -> list[Key]:
    annotations = queryset.query.annotations
    keys = []
    for item in queryset.query.order_by:
        if isinstance(item, str):
            descending = item.startswith("-")
            name = item.lstrip("-")
            keys.append(Key(name, descending, nulls_last=not descending))
        elif isinstance(item, OrderBy) and isinstance(item.expression, F):
            nulls_last = bool(item.nulls_last) or (not item.nulls_first and not item.descending)
            name = item.expression.name
            real = isinstance(annotations.get(name), SearchRank)
            keys.append(Key(name, item.descending, nulls_last, single_precision=real))
        else:
            raise TypeError(f"cannot page by {item!r}: order by names or F() expressions")
    if not keys or keys[-1].name not in ("pk", "id"):
        raise TypeError("the order must end with the primary key, so every row has one place")
    return keys


def _dump(value):
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    return value


def _load(value):
    if isinstance(value, dict):
        if "t" in value:
            return datetime.fromisoformat(value["t"])
        return date.fromisoformat(value["d"])
    return value


def encode(keys: list[Key], row) -> str:
    values = [_dump(getattr(row, key.name)) for key in keys]
    return signing.dumps([[key.name for key in keys], values], salt=SALT, compress=True)


def decode(keys: list[Key], cursor: str) -> list:
    try:
        names, values = signing.loads(cursor, salt=SALT)
        if names != [key.name for key in keys]:
            raise BadCursor("This cursor belongs to a list in another order.")
        return [_load(value) for value in values]
    except (signing.BadSignature, ValueError, TypeError, KeyError) as exc:
        if isinstance(exc, BadCursor):
            raise
        raise BadCursor("This cursor is not one this API gave out.") from None


def _after(key: Key, value) -> Q:
    """Rows strictly after ``value`` in ``key``'s order."""
    if key.single_precision and value is not None:
        value = AsReal(Value(value))
    if value is None:
        # Nulls last: nothing comes after a null. Nulls first: every value does.
        return Q(pk__in=[]) if key.nulls_last else Q(**{f"{key.name}__isnull": False})
    after = Q(**{f"{key.name}__{'lt' if key.descending else 'gt'}": value})
    return after | Q(**{f"{key.name}__isnull": True}) if key.nulls_last else after


def _equal(key: Key, value) -> Q:
    if key.single_precision and value is not None:
        value = AsReal(Value(value))
    return Q(**{f"{key.name}__isnull": True}) if value is None else Q(**{key.name: value})


def page(queryset: QuerySet, *, cursor: str | None, limit: int) -> tuple[list, str | None]:
    """``limit`` rows after ``cursor`` and the cursor of the page after them (None at the end)."""
    keys = ordering_keys(queryset)
    if cursor:
        values = decode(keys, cursor)
        condition = Q(pk__in=[])
        for i, key in enumerate(keys):
            step = _after(key, values[i])
            for earlier, value in zip(keys[:i], values[:i], strict=True):
                step &= _equal(earlier, value)
            condition |= step
        queryset = queryset.filter(condition)
    rows = list(queryset[: limit + 1])
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode(keys, rows[-1])
    return rows, None
