"""The staff evaluation report's contents, as plain sections (title, header, rows) that the
report page, the CSV and the XLSX all render the same way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
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
NOT_RECORDED = "not recorded"


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


def retention_section(institute: Institute | None, period: Period) -> dict:
    """Renewed and lapsed partnerships, inferred from review dates: the portal has no renewal
    step (staff move the review date on in the admin, and the audit log notes only that the
    date changed, not from what to what), so the note says how the figures are worked out."""
    partners = _in_scope(Organisation.objects.approved(), institute, "institutes").alias(
        approved_on=Coalesce("decided_at", "created_at")
    )
    today = timezone.localdate()
    counts = partners.aggregate(
        lapsed=Count(
            "pk",
            filter=Q(review_date__gte=period.start, review_date__lte=min(period.end, today)),
            distinct=True,
        ),
        renewed=Count(
            "pk",
            filter=Q(approved_on__lte=period.ends_before - TERM, review_date__gt=period.end),
            distinct=True,
        ),
    )
    return {
        "title": "Partner retention",
        "note": (
            "Worked out from review dates, because the portal does not record renewals as "
            "such: a partnership is reviewed a year after approval, and staff move its review "
            "date on when they renew it. Renewed: approved at least a year before the period "
            "ended, so a review fell due, and its review date is now after the period. "
            "Lapsed: still listed as a partner, but its review date fell in the period (up to "
            "today) and has not been moved on. A partner added by staff rather than through "
            "an application counts from the day it was added."
        ),
        "header": ["Partners", "Number"],
        "rows": [
            ["Renewed: review date moved on beyond the period", counts["renewed"]],
            ["Lapsed: review date passed in the period and not moved on", counts["lapsed"]],
        ],
    }


def filled_section(institute: Institute | None, period: Period) -> dict:
    """Places filled, as the partner or staff recorded them when closing each opportunity."""
    closed = (
        _in_scope(Opportunity.objects, institute, "institute")
        .filter(
            status=Opportunity.Status.CLOSED,
            closing_date__gte=period.start,
            closing_date__lte=period.end,
        )
        .values("kind")
        .annotate(
            closed=Count("pk"),
            recorded=Count("pk", filter=Q(positions_filled__isnull=False)),
            offered=Sum("positions", filter=Q(positions_filled__isnull=False)),
            filled=Sum("positions_filled"),
        )
    )
    by_kind = {row["kind"]: row for row in closed}
    rows = []
    for key, label in [*Opportunity.Kind.choices, (None, "All kinds")]:
        found = list(by_kind.values()) if key is None else [by_kind.get(key, {})]
        total = {
            name: sum(row.get(name) or 0 for row in found)
            for name in ("closed", "recorded", "offered", "filled")
        }
        not_recorded = total["closed"] - total["recorded"]
        if total["closed"] and not total["recorded"]:
            offered = filled = NOT_RECORDED
        else:
            offered, filled = total["offered"], total["filled"]
        rows.append([label, total["closed"], not_recorded, offered, filled])
    return {
        "title": "Opportunities filled (closing date in the period)",
        "note": (
            "When a partner or member of staff closes an opportunity, they may say how many of "
            "its places were filled. Places offered and filled count only the opportunities "
            "where that was recorded; “not recorded” means none of them has the number yet."
        ),
        "header": [
            "Kind of opportunity",
            "Closed",
            "Closed without the number filled",
            "Places offered (where recorded)",
            "Places filled",
        ],
        "rows": rows,
    }


def build(*, institute: Institute | None, period: Period, progress: Callable[[int], None]) -> dict:
    scope = NETWORK if institute is None else str(institute.pk)
    figures = collect([period], institute_ids=None if institute is None else [institute.pk])
    sections = figure_sections(figures[scope], [period])
    progress(40)

    sections.append(retention_section(institute, period))
    sections.append(filled_section(institute, period))
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
