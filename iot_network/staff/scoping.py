"""The one place that says which IoTs a member of staff may see and change.

Every ModelAdmin (through ScopedAdminMixin) and every staff page outside the admin filters with
``scope``; anything outside it is a 404. ``path`` is the ORM lookup from a model to its Institute
("institute", "course__institute", "institutes" for a many-to-many, "pk" for Institute itself).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model, QuerySet
from django.http import Http404

from .models import Role


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
    filtered = queryset.filter(**{f"{path}__in": ids})
    return filtered.distinct() if _is_many(queryset, path) else filtered


def get_scoped_object_or_404(queryset: QuerySet, user, path: str | None, **lookup) -> Model:
    """For staff pages outside the admin: an object outside the user's scope does not exist."""
    try:
        return scope(queryset, user, path).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404("Not found in your institutes.") from None


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


# How to reach an object's IoT, tried in order; the last hop is read as an id (no query for it).
INSTITUTE_HOPS = (
    ("institute",),
    ("course", "institute"),
    ("event", "institute"),
    ("registration", "event", "institute"),
)


def institute_id_of(obj: Model) -> int | None:
    """The IoT an object is about, for the audit log and the outbox (None: national)."""
    from institutes.models import Institute

    if isinstance(obj, Institute):
        return obj.pk
    for *hops, last in INSTITUTE_HOPS:
        target = obj
        for hop in hops:
            target = getattr(target, hop, None)
            if target is None:
                break
        else:
            institute_id = getattr(target, f"{last}_id", None)
            if institute_id is not None:
                return institute_id
    organisation = getattr(obj, "organisation", None)  # a partner's record: its first IoT
    if organisation is not None and hasattr(organisation, "institutes"):
        return organisation.institutes.order_by("pk").values_list("pk", flat=True).first()
    return None
