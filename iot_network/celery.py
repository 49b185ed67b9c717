"""The portal's Celery app: configured from Django settings (CELERY_*), tasks autodiscovered."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iot_network.settings")

app = Celery("iot_network")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic jobs live here, in code, so every deploy runs the same schedule.
app.conf.beat_schedule = {
    "sweep-outbox": {
        "task": "iot_network.notifications.tasks.sweep_outbox",
        "schedule": 60.0,
    },
    "purge-old-messages": {
        "task": "iot_network.notifications.tasks.purge_old_messages",
        "schedule": crontab(hour=3, minute=41),
    },
    "refresh-course-start-dates": {
        "task": "courses.tasks.refresh_course_start_dates",
        "schedule": crontab(hour=0, minute=5),
    },
    # Within the facet cache's five minutes, so the unfiltered lists never wait for a recount.
    "warm-course-facets": {
        "task": "courses.tasks.warm_course_facets",
        "schedule": 240.0,
    },
    "place-pending-course-runs": {
        "task": "courses.tasks.place_pending_course_runs",
        "schedule": crontab(minute=25),
    },
    "resume-stalled-course-imports": {
        "task": "courses.tasks.resume_stalled_course_imports",
        "schedule": crontab(minute="*/15"),
    },
    "saved-search-alerts": {
        "task": "courses.tasks.saved_search_alerts",
        "schedule": crontab(hour=7, minute=5),
    },
    "event-reminders": {
        "task": "events.tasks.send_event_reminders",
        "schedule": crontab(minute=10),
    },
    "expire-waiting-list-offers": {
        "task": "events.tasks.expire_waiting_list_offers",
        "schedule": 300.0,
    },
    "event-feedback-requests": {
        "task": "events.tasks.send_feedback_requests",
        "schedule": crontab(hour=10, minute=0),
    },
    "partnership-review-reminders": {
        "task": "partners.tasks.send_review_reminders",
        "schedule": crontab(hour=8, minute=15),
    },
    "purge-equality-answers": {
        "task": "iot_network.equality.tasks.purge_expired_answers",
        "schedule": crontab(hour=2, minute=23),
    },
    "compute-impact-figures": {
        "task": "iot_network.impact.tasks.compute_impact_figures",
        "schedule": crontab(hour=1, minute=37),
    },
    "publish-scheduled-stories": {
        "task": "stories.tasks.publish_scheduled_stories",
        "schedule": 60.0,
    },
    "send-scheduled-newsletters": {
        "task": "newsletter.tasks.send_due_issues",
        "schedule": 60.0,
    },
    "clear-expired-sessions": {
        "task": "iot_network.web.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
}
