"""List filters whose choices are scoped like the rows.

Django builds a related field's filter choices from every row of the related model, and an
all-values filter across a relation from every row of the model at the other end: IoT staff
would read another IoT's draft event titles in the registration list's filter. Here a relation's
choices are the objects the user's own rows point at, and only those the user may see
themselves; values across a relation come from the user's rows.
"""

from __future__ import annotations

from django.contrib.admin import (
    AllValuesFieldListFilter,
    RelatedFieldListFilter,
    RelatedOnlyFieldListFilter,
)
from django.contrib.admin.utils import get_fields_from_path
from django.db.models import BooleanField, DateField


class ScopedRelatedFieldListFilter(RelatedFieldListFilter):
    def field_choices(self, field, request, model_admin):
        related = field.related_model
        pointed_at = (
            model_admin.get_queryset(request)
            .order_by()
            .values_list(f"{self.field_path}__pk", flat=True)
        )
        visible = related._default_manager.filter(pk__in=pointed_at)
        related_admin = model_admin.admin_site._registry.get(related)
        # A partner of two IoTs points at both; only the user's own IoT is offered.
        if getattr(related_admin, "institute_path", None) is not None:
            visible = related_admin.scoped_queryset(request, visible)
        return field.get_choices(
            include_blank=False,
            limit_choices_to={"pk__in": visible.values("pk")},
            ordering=self.field_admin_ordering(field, request, model_admin),
        )


class ScopedAllValuesFieldListFilter(AllValuesFieldListFilter):
    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        # Django reads the values from every row at the far end of the relation; still lazy here.
        self.lookup_choices = (
            model_admin.get_queryset(request)
            .order_by(field_path)
            .values_list(field_path, flat=True)
            .distinct()
        )


def scoped_list_filter(model, item):
    """``item`` from a ModelAdmin's ``list_filter``, with a scoped filter where Django's default
    one would read rows outside the user's scope. Custom filter classes are left as they are:
    they scope themselves (the permission-matrix tests check every filter's choices)."""
    if isinstance(item, str):
        path, chosen = item, None
    elif isinstance(item, tuple | list) and isinstance(item[0], str):
        path, chosen = item
    else:
        return item
    fields = get_fields_from_path(model, path)
    field = fields[-1]
    if chosen in (None, RelatedFieldListFilter, RelatedOnlyFieldListFilter):
        if field.remote_field is not None:
            return (path, ScopedRelatedFieldListFilter)
        if (
            chosen is None
            and len(fields) > 1
            and not field.flatchoices
            and not isinstance(field, BooleanField | DateField)
        ):
            return (path, ScopedAllValuesFieldListFilter)
    if chosen is AllValuesFieldListFilter and len(fields) > 1:
        return (path, ScopedAllValuesFieldListFilter)
    return item
