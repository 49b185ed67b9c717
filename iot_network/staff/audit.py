"""One call to record a staff action: admin changes go through ScopedAdminMixin, and services
call ``record`` for approvals, cancellations, messages and exports."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from .models import AuditEntry
from .scoping import institute_of


def record(*, actor, action: str, target: Model | None, detail: str = "", institute=None):
    if institute is None and target is not None:
        institute = institute_of(target)
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action[:60],
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        institute=institute,
        detail=detail,
    )
