"""The one place that says which IoTs a member of staff may see and change.

Each scoped model's QuerySet subclasses ``ScopedQuerySet`` and declares, once, its path to the
IoT(s): ``institute_path`` is the ORM lookup from the model to its Institute ("institute",
"course__institute", "institutes" for a many-to-many, "pk" for Institute itself; None for
national data). ``Model.objects.for_staff(user)`` is then the only way to scope rows: the admin
mixin, the dashboard, the outbox and the audit log all call it, and anything outside it is a 404.
A row that belongs to several IoTs (a partner of two) is visible to each IoT's staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from django.db import models
from django.db.models import Model, QuerySet

from .roles import Role


@dataclass(frozen=True)
class Scope:
    view: frozenset[int] | None  # None: every IoT
    edit: frozenset[int] | None  # None: every IoT; empty: read-only
    national: bool

    @property
    def is_staff_member(self) -> bool:
        return self.national or self.view is None or bool(self.view)

    @property
    def can_edit(self) -> bool:
        return self.edit is None or bool(self.edit)


NOBODY = Scope(view=frozenset(), edit=frozenset(), national=False)
EVERYTHING = Scope(view=None, edit=None, national=True)


def scope_of(user) -> Scope:
    """The user's scope, worked out once per request (cached on the user object)."""
    cached = getattr(user, "_staff_scope", None)
    if cached is not None:
        return cached
    if not (user.is_authenticated and user.is_active and user.is_staff):
        result = NOBODY
    elif user.is_superuser:
        result = EVERYTHING
    else:
        memberships = list(user.staff_memberships.values_list("role", "institute_id"))
        if any(role == Role.NATIONAL_ADMIN for role, _ in memberships):
            result = EVERYTHING
        else:
            sees_all = any(role == Role.VIEWER and inst is None for role, inst in memberships)
            result = Scope(
                view=None if sees_all else frozenset(i for _, i in memberships if i),
                edit=frozenset(i for role, i in memberships if role == Role.IOT_STAFF and i),
                national=False,
            )
    user._staff_scope = result
    return result


def _is_many(queryset: QuerySet, path: str) -> bool:
    model = queryset.model
    for name in path.split("__"):
        field = model._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return True
        model = field.related_model
    return False


def scope(queryset: QuerySet, user, path: str | None, *, edit: bool = False) -> QuerySet:
    """Only the rows ``user`` may see (or, with ``edit``, change). ``path=None`` marks national
    data: everyone with a national scope sees it, nobody else."""
    ids = scope_of(user).edit if edit else scope_of(user).view
    if ids is None:
        return queryset
    if path is None or not ids:
        return queryset.none()
    if path in ("pk", "id"):
        return queryset.filter(pk__in=ids)
    if _is_many(queryset, path):
        # A semi-join, not a join: a row of two of the user's IoTs appears once, without
        # DISTINCT, so counts and aggregates over the scoped rows stay right.
        inside = queryset.model._default_manager.filter(**{f"{path}__in": ids}).values("pk")
        return queryset.filter(pk__in=inside)
    return queryset.filter(**{f"{path}__in": ids})


class ScopedQuerySet(models.QuerySet):
    """Rows that belong to one or more IoTs; subclasses declare ``institute_path`` once."""

    institute_path: ClassVar[str | None] = None

    def for_staff(self, user, *, edit: bool = False) -> QuerySet:
        """The rows ``user`` may see (or, with ``edit``, change)."""
        return scope(self, user, self.institute_path, edit=edit)


def institute_path_of(model: type[Model]) -> str | None:
    """The model's declared path to its IoT(s); None for national data."""
    return getattr(model._default_manager.all(), "institute_path", None)


def institute_ids(obj: Model) -> set[int]:
    """The IoTs an object belongs to, by its model's declared path (empty: national)."""
    return {i for i in institute_ids_of(obj, institute_path_of(type(obj))) if i is not None}


def institute_ids_of(obj: Model, path: str | None) -> set[int | None]:
    """The institutes an (unsaved, perhaps) object belongs to, by following ``path``."""
    if path is None:
        return {None}
    if path in ("pk", "id"):
        return {obj.pk}
    *hops, last = path.split("__")
    target = obj
    for hop in hops:
        target = getattr(target, hop, None)
        if target is None:
            return {None}
    field = target._meta.get_field(last)
    if field.many_to_many:
        if target.pk is None:
            return set()
        return set(getattr(target, last).values_list("pk", flat=True)) or {None}
    return {getattr(target, field.attname)}


def link_institutes(model: type[Model], ids_by_row: dict[int, set[int]]) -> None:
    """Link saved rows (audit entries, outbox messages) to their IoTs in one insert."""
    through = model.institutes.through
    row_field = f"{model._meta.model_name}_id"
    through.objects.bulk_create(
        [
            through(**{row_field: row_id, "institute_id": institute_id})
            for row_id, ids in ids_by_row.items()
            for institute_id in ids
        ]
    )
