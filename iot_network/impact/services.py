from __future__ import annotations

import logging

from celery import signature
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from events.models import Registration
from institutes.models import Institute
from iot_network.staff import audit
from partners.models import Engagement

from . import equality, report
from .figures import NETWORK, collect
from .models import EvaluationReport, ImpactSnapshot
from .periods import Period, current_and_previous

logger = logging.getLogger(__name__)
BUILD_REPORT_TASK = "iot_network.impact.tasks.build_evaluation_report"


@transaction.atomic
def compute_snapshots(*, now=None) -> int:
    """Work out every page's figures for this academic year and the last; returns how many
    snapshots were written. Safe to run twice (each scope's row is replaced)."""
    now = now or timezone.now()
    periods = list(current_and_previous(timezone.localdate(now)))
    institute_ids = list(Institute.objects.values_list("pk", flat=True))
    figures = collect(periods, institute_ids=institute_ids, now=now)
    equality_grids = {p.key: equality.grids(p, institute_ids) for p in periods}
    for scope, scope_figures in figures.items():
        scope_figures["periods"] = [{"key": p.key, "label": p.label} for p in periods]
        scope_figures["equality"] = {
            p.key: equality.published(equality_grids[p.key], scope) for p in periods
        }
        ImpactSnapshot.objects.update_or_create(
            scope=scope, defaults={"computed_at": now, "figures": scope_figures}
        )
    ImpactSnapshot.objects.exclude(scope__in=list(figures)).delete()
    return len(figures)


def snapshot(scope: str) -> ImpactSnapshot | None:
    """The page's figures, computed on the spot only the first time (before the nightly job)."""
    found = ImpactSnapshot.objects.for_scope(scope).first()
    if found is None and scope == NETWORK:
        compute_snapshots()
        found = ImpactSnapshot.objects.for_scope(scope).first()
    return found


def _rows_to_read(institute: Institute | None, period: Period) -> int:
    engagements = Engagement.objects.filter(
        occurred_on__gte=period.start, occurred_on__lte=period.end
    )
    registrations = Registration.objects.filter(
        created_at__gte=period.starts_at, created_at__lt=period.ends_before
    )
    if institute is not None:
        engagements = engagements.filter(institute=institute)
        registrations = registrations.filter(event__institute=institute)
    return engagements.count() + registrations.count()


@transaction.atomic
def request_report(*, acting_user, institute: Institute | None, period: Period) -> EvaluationReport:
    """Ask for a report; small ones are built straight away, large ones by a Celery job
    (the report page shows its progress). The caller has checked the scope."""
    evaluation = EvaluationReport.objects.create(
        institute=institute,
        period_start=period.start,
        period_end=period.end,
        requested_by=acting_user,
    )
    audit.record(actor=acting_user, action="requested evaluation report", target=evaluation)
    if _rows_to_read(institute, period) > settings.IMPACT_REPORT_INLINE_ROWS:
        # Sent by name: tasks.py imports this module.
        transaction.on_commit(lambda: signature(BUILD_REPORT_TASK, args=(evaluation.pk,)).delay())
    else:
        build_report(report_id=evaluation.pk)
        evaluation.refresh_from_db()
    return evaluation


def _set_progress(report_id: int, percent: int) -> None:
    EvaluationReport.objects.filter(pk=report_id).update(progress=percent)


def build_report(*, report_id: int) -> None:
    """Build (or rebuild) a report; runs outside one transaction so progress is visible."""
    evaluation = EvaluationReport.objects.select_related("institute").get(pk=report_id)
    if evaluation.status == EvaluationReport.Status.READY:
        return
    EvaluationReport.objects.filter(pk=report_id).update(
        status=EvaluationReport.Status.BUILDING, progress=5
    )
    period = Period(
        start=evaluation.period_start,
        end=evaluation.period_end,
        label=f"{evaluation.period_start:%d %b %Y} to {evaluation.period_end:%d %b %Y}",
    )
    try:
        data = report.build(
            institute=evaluation.institute,
            period=period,
            progress=lambda percent: _set_progress(report_id, percent),
        )
    except Exception:
        # Marked failed for the person waiting, then raised again for the worker's log.
        EvaluationReport.objects.filter(pk=report_id).update(status=EvaluationReport.Status.FAILED)
        raise
    EvaluationReport.objects.filter(pk=report_id).update(
        status=EvaluationReport.Status.READY,
        progress=100,
        data=data,
        finished_at=timezone.now(),
    )
