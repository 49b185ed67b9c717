from __future__ import annotations

from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import EqualityAnswers


def answer_models() -> list[type[EqualityAnswers]]:
    """Every table of answers (one per form that asks the questions)."""
    return [model for model in apps.get_models() if issubclass(model, EqualityAnswers)]


@transaction.atomic
def purge_expired(*, now=None) -> int:
    """Delete answers older than the retention period; returns how many. Safe to run twice."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.EQUALITY_RETENTION_DAYS)
    deleted = 0
    for model in answer_models():
        count, _ = model.objects.filter(answered_at__lt=cutoff).delete()
        deleted += count
    return deleted
