"""Scoping for every ModelAdmin: querysets, choices, list filters, permissions, saving, actions
and the audit.

Declare on each ModelAdmin:
- nothing about IoTs: the model's QuerySet declares its path once (scoping.ScopedQuerySet);
- ``national_only = True`` where only national admins may see rows that do belong to an IoT
  (staff memberships, accounts).
- ``shared_reference = True`` for lists every member of staff reads (routes, sector tags...):
  anyone in the workspace may view them; only national admins change them.
- ``read_only = True`` for records nobody edits by hand (the audit log).
- ``staff_may_add = False`` where only national admins create rows (institutes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin import TabularInline
from django.contrib.admin.utils import label_for_field, lookup_field, unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.text import capfirst

from iot_network.web.csv_export import csv_response

from . import audit
from .filters import scoped_list_filter
from .scoping import institute_ids_of, institute_path_of, scope, scope_of


class ScopeRules:
    # Addresses typed without a scheme are https:// (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    national_only = False
    shared_reference = False
    read_only = False
    staff_may_add = True
    staff_may_delete = True
    staff_may_add_shared = False

    def _scope(self, request):
        return scope_of(request.user)

    @property
    def institute_path(self) -> str | None:
        return None if self.national_only else institute_path_of(self.model)

    def _national_data(self) -> bool:
        return self.institute_path is None

    def scoped_queryset(self, request, queryset, *, edit=False):
        if self.shared_reference and not edit:
            return queryset if self._scope(request).is_staff_member else queryset.none()
        if self.institute_path is None:  # national data
            return scope(queryset, request.user, None, edit=edit)
        return queryset.for_staff(request.user, edit=edit)

    # Permissions come from the membership's role, not from Django's per-model permissions.
    def has_module_permission(self, request):
        s = self._scope(request)
        if self._national_data() and not self.shared_reference:
            return s.national
        return s.is_staff_member

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and (
            obj is None or self._in_scope(request, obj, edit=False)
        )

    def has_add_permission(self, request, *args):
        s = self._scope(request)
        if self.read_only or not s.can_edit:
            return False
        if self.shared_reference and self.staff_may_add_shared:
            return True
        if self._national_data() or not self.staff_may_add:
            return s.national
        return True

    def has_change_permission(self, request, obj=None):
        s = self._scope(request)
        if self.read_only or not s.can_edit:
            return False
        if self._national_data():
            return s.national
        return obj is None or self._in_scope(request, obj, edit=True)

    def has_delete_permission(self, request, obj=None):
        if not self.staff_may_delete and not self._scope(request).national:
            return False
        return self.has_change_permission(request, obj)

    def _in_scope(self, request, obj, *, edit: bool) -> bool:
        s = self._scope(request)
        if (s.edit if edit else s.view) is None:
            return True
        if self.shared_reference and not edit:
            return s.is_staff_member
        return self.scoped_queryset(
            request, type(obj)._default_manager.filter(pk=obj.pk), edit=edit
        ).exists()

    def _limit_choices(self, request, db_field, field):
        """Offer only institutes, and rows of scoped models, that the user may change."""
        if field is None or not hasattr(field, "queryset"):
            return field
        related = db_field.related_model
        if institute_path_of(related) == "pk":  # the IoT itself
            field.queryset = field.queryset.for_staff(request.user, edit=True)
            if not self._scope(request).national:
                field.required = True  # an empty institute would make the row national
        else:
            related_admin = self.admin_site._registry.get(related)
            if isinstance(related_admin, ScopeRules) and not related_admin.shared_reference:
                field.queryset = related_admin.scoped_queryset(request, field.queryset, edit=True)
        return field

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and isinstance(field.widget, forms.SplitDateTimeWidget):
            # The admin labels a date and time pair "Date:" and "Time:" with no <label>, so
            # each box gets the field's name too: "Starts at: date".
            for part, widget in zip(("date", "time"), field.widget.widgets, strict=True):
                widget.attrs["aria-label"] = f"{capfirst(field.label)}: {part}"
        elif field is not None and isinstance(self, TabularInline):
            # A table's inputs sit under column headings, not beside a <label>.
            widget = getattr(field.widget, "widget", field.widget)  # inside the "+" wrapper
            widget.attrs.setdefault("aria-label", capfirst(field.label))
        return field

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return self._limit_choices(request, db_field, field)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return self._limit_choices(request, db_field, field)


class ScopedAdminMixin(ScopeRules):
    def get_queryset(self, request):
        return self.scoped_queryset(request, super().get_queryset(request))

    def get_list_filter(self, request):
        # Filter choices are data too: scoped like the rows (see filters.py).
        return [scoped_list_filter(self.model, item) for item in super().get_list_filter(request)]

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("Not found in your institutes.")
        return obj

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.read_only or not self._scope(request).can_edit:
            # Viewers keep read-only actions (exports) only.
            actions = {k: v for k, v in actions.items() if "export" in k}
        return actions

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        admin_ = self

        class ScopedForm(form_class):
            def _post_clean(self):
                super()._post_clean()
                admin_.check_scope(request, self)

        ScopedForm.__name__ = form_class.__name__
        return ScopedForm

    def check_scope(self, request, form) -> None:
        """Refuse to save a row into an IoT the user may not change, whatever the POST says."""
        s = self._scope(request)
        if s.edit is None or self.institute_path is None:
            return
        path = self.institute_path
        head = path.split("__")[0]
        if head in form.cleaned_data and path == head:
            value = form.cleaned_data[head]
            ids = (
                {i.pk for i in value}
                if hasattr(value, "__iter__")
                else {getattr(value, "pk", None)}
            )
        else:
            ids = institute_ids_of(form.instance, path)
        if not ids or not ids <= s.edit:
            form.add_error(
                None,
                forms.ValidationError(
                    "You can only save records for the institutes you work for.",
                    code="out_of_scope",
                ),
            )

    # The audit log: every change made in the admin.
    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        audit.record(actor=request.user, action="added", target=obj, detail=str(message))
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        detail = entry.get_change_message() if entry else str(message)
        audit.record(actor=request.user, action="changed", target=obj, detail=detail)
        return entry

    def log_deletions(self, request, queryset):
        audit.record_many(actor=request.user, action="deleted", targets=queryset)
        return super().log_deletions(request, queryset)


class ScopedInlineMixin(ScopeRules):
    """Inlines follow their parent: permission to change the parent is permission to change them."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                if "DELETE" in form.fields:  # a bare box under the "Delete?" heading
                    form.fields["DELETE"].widget.attrs.setdefault("aria-label", "Delete this row")

        LabelledFormSet.__name__ = formset.__name__
        return LabelledFormSet

    def has_module_permission(self, request):
        return self._scope(request).is_staff_member

    def has_view_permission(self, request, obj=None):
        return self._scope(request).is_staff_member

    def has_add_permission(self, request, obj=None):
        return self._scope(request).can_edit

    def has_change_permission(self, request, obj=None):
        return self._scope(request).can_edit

    def has_delete_permission(self, request, obj=None):
        return self._scope(request).can_edit


def export_as_csv(modeladmin, request, queryset):
    """The selected rows, with the columns of the list, as a CSV file (audited)."""
    fields = [f for f in modeladmin.get_list_display(request) if f != "action_checkbox"]
    meta = modeladmin.model._meta
    response, count = csv_response(
        filename=f"{meta.model_name}.csv",
        header=[label_for_field(f, modeladmin.model, modeladmin) for f in fields],
        rows=([lookup_field(name, obj, modeladmin)[2] for name in fields] for obj in queryset),
    )
    audit.record(
        actor=request.user,
        action="exported CSV",
        target=None,
        detail=f"{count} {meta.verbose_name_plural}",
    )
    return response


export_as_csv.short_description = "Export selected as CSV"
export_as_csv.allowed_permissions = ("view",)


# Buttons on one object's page -------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectAction:
    name: str
    label: str
    shown: Callable[[Any], bool]
    permission: str
    style: str


def object_action(
    *,
    label: str,
    shown: Callable[[Any], bool] = lambda obj: True,
    permission: str = "change",
    style: str = "",
):
    """Mark a ModelAdmin method ``(self, request, obj) -> (message, next_url or None[, level])``
    as a button on the object's change page. The method calls a service (which audits); the
    button posts to ``<pk>/do/<name>/``, so the action is never a GET."""

    def decorate(method):
        method.object_action = ObjectAction(method.__name__, label, shown, permission, style)
        return method

    return decorate


class ObjectActionsMixin:
    """The main actions for one object (publish, duplicate, approve...) as buttons on its change
    page. Declare ``object_actions = ["publish_one", ...]`` (methods marked with
    ``@object_action``) and ``object_links`` (GET pages of the admin: ``(label, url name)``).
    Out-of-scope objects are a 404 (``ScopedAdminMixin.get_object``); in-scope objects the user
    may not change are a 403, like every other admin page."""

    object_actions: tuple[str, ...] = ()
    object_links: tuple[tuple[str, str, Callable[[Any], bool]], ...] = ()

    def get_urls(self):
        meta = self.model._meta
        return [
            path(
                "<path:object_id>/do/<slug:action>/",
                self.admin_site.admin_view(self.object_action_view),
                name=f"{meta.app_label}_{meta.model_name}_do",
            ),
        ] + super().get_urls()

    def _object_action(self, name: str) -> ObjectAction | None:
        if name not in self.object_actions:
            return None
        return getattr(getattr(self, name, None), "object_action", None)

    def _allowed(self, request, obj, action: ObjectAction) -> bool:
        return getattr(self, f"has_{action.permission}_permission")(request, obj)

    def object_action_view(self, request, object_id, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        spec = self._object_action(action)
        if spec is None:
            raise Http404("No such action.")
        obj = self.get_object(request, unquote(object_id))
        if not self._allowed(request, obj, spec):
            raise PermissionDenied
        message, next_url, *level = getattr(self, action)(request, obj)
        self.message_user(request, message, *(level or [messages.SUCCESS]))
        meta = self.model._meta
        return redirect(
            next_url or reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
        )

    def object_buttons(self, request, obj) -> dict:
        """What the change page's "Actions" panel offers for ``obj`` to this user."""
        meta = self.model._meta
        buttons = [
            {
                "label": spec.label,
                "style": spec.style,
                "url": reverse(
                    f"admin:{meta.app_label}_{meta.model_name}_do", args=[obj.pk, spec.name]
                ),
            }
            for spec in filter(None, map(self._object_action, self.object_actions))
            if spec.shown(obj) and self._allowed(request, obj, spec)
        ]
        links = [
            {"label": label, "url": reverse(f"admin:{url_name}", args=[obj.pk])}
            for label, url_name, shown in self.object_links
            if shown(obj)
        ]
        return {"object_buttons": buttons, "object_links": links}

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            context.update(self.object_buttons(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)


def public_url(obj, public_rows: models.QuerySet) -> str | None:
    """``obj``'s public page when the public may see it (``public_rows`` is the read rule the
    public views use), else None: the admin then hides "View on site" rather than link to a 404."""
    return obj.get_absolute_url() if public_rows.filter(pk=obj.pk).exists() else None
