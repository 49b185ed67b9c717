"""The staff evaluation report's contents, as plain sections (title, header, rows) that the
report page, the CSV and the XLSX all render the same way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone

from events.models import Feedback
from institutes.models import Institute
from partners.models import Opportunity, Organisation

from . import equality
from .figures import HEADLINES, NETWORK, TABLES, collect, engagements_in, held_events
from .periods import Period

# A partnership's first term (partners.services.PARTNERSHIP_TERM): a partner approved at least
# this long before the period ended has had a review fall due.
TERM = timedelta(days=365)
MAX_COMMENTS = 500


def figure_sections(figures: dict, periods: list[Period]) -> list[dict]:
    """The headline numbers and each table, one column per period."""
    period_titles = [p.label for p in periods]
    headline = {
        "title": "Headline figures",
        "header": ["Figure", *period_titles],
        "rows": [
            [label, *(figures["headline"][p.key][name] for p in periods)]
            for name, label in HEADLINES
        ],
    }
    sections = [headline]
    for table in TABLES:
        data = figures["tables"][table.name]
        sections.append(
            {
                "title": table.title,
                "header": [table.category_title, *period_titles],
                "rows": [
                    [label, *(data["values"][p.key][key] for p in periods)]
                    for key, label in data["categories"]
                ],
            }
        )
    return sections


def equality_sections(published: dict) -> list[dict]:
    names = equality.labels()
    sections = []
    for source, questions in published.items():
        for question, table in questions.items():
            sections.append(
                {
                    "title": f"{names['sources'][source]}: {names['questions'][question]}",
                    "header": ["Answer", "People"],
                    "rows": [
                        [label, _display(table["figures"][key])]
                        for key, label in table["categories"]
                    ]
                    + [["Total who answered", _display(table["total"])]],
                }
            )
    return sections


def _display(figure: list) -> int | str:
    value, suppressed = figure
    return suppressed or value


def _in_scope(queryset, institute: Institute | None, path: str):
    return queryset if institute is None else queryset.filter(**{path: institute})


def build(*, institute: Institute | None, period: Period, progress: Callable[[int], None]) -> dict:
    scope = NETWORK if institute is None else str(institute.pk)
    figures = collect([period], institute_ids=None if institute is None else [institute.pk])
    sections = figure_sections(figures[scope], [period])
    progress(40)

    partners = _in_scope(Organisation.objects.approved(), institute, "institutes")
    today = timezone.localdate()
    lapsed = partners.filter(
        review_date__gte=period.start, review_date__lte=min(period.end, today)
    ).count()
    renewed = partners.filter(
        decided_at__lte=period.ends_before - TERM, review_date__gt=period.end
    ).count()
    sections.append(
        {
            "title": "Partner retention",
            "header": ["Partners", "Number"],
            "rows": [
                ["Renewed: reviewed and continuing beyond the period", renewed],
                ["Lapsed: review date passed in the period without renewal", lapsed],
            ],
        }
    )
    filled = (
        _in_scope(Opportunity.objects, institute, "institute")
        .filter(
            status=Opportunity.Status.CLOSED,
            closing_date__gte=period.start,
            closing_date__lte=period.end,
        )
        .values("kind")
        .annotate(n=Count("pk"), positions=Sum("positions"))
    )
    kinds = dict(Opportunity.Kind.choices)
    filled_by_kind = {row["kind"]: row for row in filled}
    sections.append(
        {
            "title": "Opportunities filled (closed in the period)",
            "header": ["Kind of opportunity", "Opportunities", "Positions"],
            "rows": [
                [
                    label,
                    filled_by_kind.get(key, {}).get("n", 0),
                    filled_by_kind.get(key, {}).get("positions") or 0,
                ]
                for key, label in kinds.items()
            ],
        }
    )
    progress(60)

    engagement = (
        _in_scope(engagements_in(period), institute, "institute")
        .values("organisation__name")
        .annotate(n=Count("pk"), quantity=Sum("quantity"))
        .order_by("-n", "organisation__name")
    )
    sections.append(
        {
            "title": "Engagement by partner",
            "header": ["Partner", "Activities", "Total quantity"],
            "rows": [[r["organisation__name"], r["n"], r["quantity"]] for r in engagement],
        }
    )
    # Comments without the registrant's name: they are about the event, not the person.
    comments = (
        _in_scope(Feedback.objects, institute, "registration__event__institute")
        .filter(registration__event__in=held_events(period).values("pk"))
        .filter(~Q(comments=""))
        .values_list(
            "registration__event__title", "registration__event__starts_at", "rating", "comments"
        )
        .order_by("registration__event__starts_at")[:MAX_COMMENTS]
    )
    sections.append(
        {
            "title": "Feedback comments",
            "header": ["Event", "Date", "Rating (out of 5)", "Comment"],
            "rows": [
                [title, timezone.localtime(starts).date().isoformat(), rating, text]
                for title, starts, rating, text in comments
            ],
        }
    )
    progress(80)

    if period.is_academic_year:
        ids = list(Institute.objects.values_list("pk", flat=True))
        published = equality.published(equality.grids(period, ids), scope)
        sections.extend(equality_sections(published))
        equality_note = (
            "Equality monitoring: groups of fewer than 5 people are shown as “fewer than 5”; "
            "figures marked “withheld” are hidden so that a small group cannot be worked out "
            "by subtraction."
        )
    else:
        equality_note = (
            "Equality monitoring figures are given for whole academic years (1 August to 31 "
            "July) only, so that figures for overlapping periods cannot be subtracted to reveal "
            "a small group. Choose an academic year to include them."
        )
    progress(95)
    return {"sections": sections, "equality_note": equality_note}
