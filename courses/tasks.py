from celery import shared_task

from .bulk import services as bulk
from .search import CourseSearch, store_facet_counts
from .services import refresh_upcoming_starts, send_saved_search_alerts


@shared_task(ignore_result=True)
def refresh_course_start_dates() -> int:
    return refresh_upcoming_starts()


@shared_task(ignore_result=True)
def saved_search_alerts() -> int:
    return send_saved_search_alerts()


@shared_task(ignore_result=True)
def refresh_facet_counts(search: dict) -> None:
    """Recount and re-store one search's facet counts before their cache entry expires."""
    store_facet_counts(CourseSearch.from_params(search))


@shared_task(ignore_result=True)
def warm_course_facets() -> None:
    """Keep the unfiltered course and apprenticeship lists' counts cached, visited or not."""
    for search in (CourseSearch(), CourseSearch(apprenticeships_only=True)):
        store_facet_counts(search)


@shared_task(ignore_result=True)
def check_course_import(course_import_id: int) -> None:
    bulk.check_import(course_import_id=course_import_id)


@shared_task(ignore_result=True)
def apply_course_import(course_import_id: int, acting_user_id: int | None) -> None:
    bulk.apply_import(course_import_id=course_import_id, acting_user_id=acting_user_id)


@shared_task(ignore_result=True)
def place_pending_course_runs(institute_id: int | None = None) -> int:
    return bulk.place_pending_runs(institute_id=institute_id)


@shared_task(ignore_result=True)
def resume_stalled_course_imports() -> int:
    return bulk.resume_stalled_imports()
