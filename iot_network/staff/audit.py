"""One call to record a staff action: admin changes go through ScopedAdminMixin, and services
call ``record`` for approvals, cancellations, messages and exports."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from .models import AuditEntry
from .scoping import institute_id_of


def record(*, actor, action: str, target: Model | None, detail: str = "") -> AuditEntry:
    audit_entry = entry(actor=actor, action=action, target=target, detail=detail)
    audit_entry.save()
    return audit_entry


def record_many(*, actor, action: str, targets) -> None:
    """One entry per target, written in one query (bulk deletions in the admin)."""
    AuditEntry.objects.bulk_create(
        [entry(actor=actor, action=action, target=target) for target in targets]
    )


def entry(*, actor, action: str, target: Model | None, detail: str = "") -> AuditEntry:
    return AuditEntry(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action[:60],
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        institute_id=institute_id_of(target) if target is not None else None,
        detail=detail,
    )
