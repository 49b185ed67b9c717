from celery import shared_task

from . import services


@shared_task
def compute_impact_figures() -> int:
    return services.compute_snapshots()


@shared_task
def build_evaluation_report(report_id: int) -> None:
    services.build_report(report_id=report_id)
