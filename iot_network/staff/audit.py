"""One call to record a staff action: admin changes go through ScopedAdminMixin, and services
call ``record`` for approvals, cancellations, messages and exports."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from .models import AuditEntry
from .scoping import institute_ids, link_institutes


def record(*, actor, action: str, target: Model | None, detail: str = "") -> AuditEntry:
    audit_entry = entry(actor=actor, action=action, target=target, detail=detail)
    audit_entry.save()
    if target is not None:
        # A new entry has no links to compare against: one insert, not set()'s read and insert.
        link_institutes(AuditEntry, {audit_entry.pk: institute_ids(target)})
    return audit_entry


def record_many(*, actor, action: str, targets: Iterable[Model]) -> None:
    """One entry per target, written in a few queries (bulk deletions in the admin)."""
    targets = list(targets)
    entries = AuditEntry.objects.bulk_create(
        [entry(actor=actor, action=action, target=target) for target in targets]
    )
    link_institutes(
        AuditEntry, {e.pk: institute_ids(t) for e, t in zip(entries, targets, strict=True)}
    )


def entry(*, actor, action: str, target: Model | None, detail: str = "") -> AuditEntry:
    """An unsaved entry; its IoTs are linked once it has an id (``record`` does both)."""
    return AuditEntry(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action[:60],
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        detail=detail,
    )
