"""Queries compiled once per process, for the few that every request of a busy page runs.

Building a queryset (cloning, resolving a subquery, compiling its SQL) can take longer than the
database takes to answer it: reading an event's places and state did (1.4 ms against 0.3 ms).
``by_slug`` compiles the queryset once, with a stand-in for the slug, and from then on runs the
SQL with the slug asked for (``by_pk`` the same for a primary key). Only for querysets whose SQL
depends on nothing but the slug (or key): no
``now()`` computed in Python, no user, no setting that can change while the process runs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from django.db.models import Model, QuerySet

_SLUG = "\x00slug"  # stands for the slug asked for; a real slug never holds a NUL
_PK = -7_777_777_777_777  # stands for the primary key asked for; no row's key is negative


def by_slug(build: Callable[[str], QuerySet]) -> Callable[[str], Model | None]:
    """``build(slug)`` gives the queryset for one slug; the function returned runs its SQL for a
    slug and answers the first row as a model instance (deferred fields as ``only`` left them,
    annotations as attributes), or None."""
    return _compiled_once(build, _SLUG)


def by_pk(build: Callable[[int], QuerySet]) -> Callable[[int], Model | None]:
    """As ``by_slug``, for a queryset that depends on nothing but a primary key."""
    return _compiled_once(build, _PK)


def _compiled_once(build: Callable, stand_in) -> Callable:
    @lru_cache(maxsize=1)
    def compiled() -> tuple[type[Model], str, tuple]:
        queryset = build(stand_in)
        sql, params = queryset.query.sql_with_params()
        if params.count(stand_in) != 1:
            raise ValueError("the queryset must use the key exactly once")
        return queryset.model, sql, params

    def first(key) -> Model | None:
        model, sql, params = compiled()
        rows = list(model.objects.raw(sql, [key if p == stand_in else p for p in params]))
        return rows[0] if rows else None

    return first
