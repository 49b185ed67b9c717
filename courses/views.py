from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page
from django.db.models import Case, Count, Prefetch, When, Window
from django.http import Http404, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from iot_network.notifications.services import has_consent
from iot_network.web import compiled, ratelimit, shared_parts
from iot_network.web.context_processors import SHORTLIST_KEY
from iot_network.web.geo import Point, distance_miles
from iot_network.web.geocoding import GeocodingError, lookup_postcode
from iot_network.web.listing import CountedPaginator
from iot_network.web.templatetags.site import ld_json
from partners.models import Opportunity, Organisation

from .filters import DEFAULT_RADIUS, CourseFilter
from .forms import EnquiryForm
from .models import Course, CourseRun, SavedSearch
from .presenters import active_filter_chips, course_json_ld, facet_groups, search_empty_state
from .search import COUNT_CAP, results_page, results_page_and_facet_counts
from .services import SavedSearchError, save_search, submit_enquiry

PER_PAGE = 20
SHORTLIST_LIMIT = 50


class CappedPaginator(CountedPaginator):
    """Pages through a total already counted with the results, capped at COUNT_CAP: beyond it
    ``more`` is set and the pages reach as far as the first COUNT_CAP results."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page, count=min(count, COUNT_CAP))
        self.more = count > COUNT_CAP


MAX_PAGE = 10_000


def _results(search, requested) -> tuple[Page, dict]:
    """The page of results asked for and the counts beside the filters."""
    try:
        number = max(int(requested or 1), 1)
    except (TypeError, ValueError):
        number = 1
    number = min(number, MAX_PAGE)  # an OFFSET past any real catalogue overflows the database
    rows, total, counts = results_page_and_facet_counts(search, number, PER_PAGE)
    paginator = CappedPaginator([], PER_PAGE, count=total)
    if number > paginator.num_pages:  # past the end: show the last page
        number = paginator.num_pages
        rows, total = results_page(search, number, PER_PAGE)
    return Page(rows, number, paginator), counts


VACANCIES_SHOWN = 10


# The search part of a list page (courses/_search.html), kept for everyone who asks the same URL
# (iot_network/web/shared_parts.py). Personal parts are rendered per request: the save-search
# form into the part's slot, the shortlist link above it. Result cards carry a shortlist button,
# so a part is only reused for a visitor who has none of its courses on their shortlist.
SEARCH_PART = "course-search"


def _search_page(request, *, template_name: str, apprenticeships_only: bool = False):
    shortlist = set(request.session.get(SHORTLIST_KEY, []))
    parts = shared_parts.page_parts(
        request,
        SEARCH_PART,
        lambda: _search_parts(request, shortlist, apprenticeships_only=apprenticeships_only),
        reusable=lambda parts: not shortlist & parts["courses"],
    )
    personal = {
        "request": request,
        "user": request.user,
        "apprenticeships_only": apprenticeships_only,
    }
    if request.user.is_authenticated:
        personal["csrf_token"] = get_token(request)
    save_search = render_to_string("courses/_save_search.html", personal)
    return render(
        request,
        template_name,
        {
            "title": parts["title"],
            "search_part": shared_parts.fill(parts["html"], save_search=save_search),
        },
        status=parts["status"],
    )


def _search_parts(request, shortlist: set, *, apprenticeships_only: bool) -> dict:
    """The search's HTML, the page title, the status and the ids of the courses shown."""
    data = request.GET.copy()
    data.setdefault("radius", str(DEFAULT_RADIUS))
    course_filter = CourseFilter(
        data,
        apprenticeships_only=apprenticeships_only,
        fresh_lists=getattr(request.user, "is_staff", False),
    )
    context = {
        "filter": course_filter,
        "shortlist": shortlist,
        "apprenticeships_only": apprenticeships_only,
        "save_search_slot": shared_parts.slot("save_search"),
    }
    noun = "apprenticeship" if apprenticeships_only else "course"
    if course_filter.is_valid():
        search = course_filter.search
        page, counts = _results(search, request.GET.get("page"))
        chips = active_filter_chips(request, course_filter.form)
        context.update(
            search=search,
            page=page,
            facets=facet_groups(course_filter.form, counts),
            chips=chips,
            place_label=course_filter.form.place_label,
            warning=course_filter.form.warning,
        )
        count = page.paginator.count
        if count:
            title = f"{'More than ' if page.paginator.more else ''}{count} {noun}{pluralize(count)}"
        else:
            context["empty"] = search_empty_state(
                request, course_filter.form, chips, apprenticeships=apprenticeships_only
            )
            title = context["empty"].message
        if apprenticeships_only:
            context["vacancies"] = _vacancies(search)
        status = 200
    else:
        context.update(page=None, facets=facet_groups(course_filter.form, {}), chips=[])
        page, title, status = None, "Error: check your search", 400
    template_name = (
        "courses/_apprenticeships_search.html" if apprenticeships_only else "courses/_search.html"
    )
    return {
        "html": render_to_string(template_name, context, request),
        "title": title,
        "status": status,
        "courses": frozenset(course.pk for course in page.object_list) if page else frozenset(),
    }


# What the vacancies panel shows (templates/courses/apprenticeships.html): the employer's and
# the institute's rows are wide, and building them was most of the panel's time.
VACANCY_FIELDS = (
    "title", "location", "wage_amount", "wage_unit", "closing_date", "organisation__name",
)  # fmt: skip


def _vacancies(search) -> dict:
    """Partner employers' live apprenticeship vacancies that match the learner's search, and
    how many match in all, counted in the same query."""
    vacancies = (
        Opportunity.objects.live()
        .apprenticeships()
        .matching(
            q=search.q, routes=search.routes, regions=search.regions, institutes=search.institutes
        )
        .select_related("organisation")
        .only(*VACANCY_FIELDS)
        .annotate(total=Window(Count("pk")))
        .order_by("closing_date", "pk")
    )
    items = list(vacancies[:VACANCIES_SHOWN])
    return {"items": items, "count": items[0].total if items else 0}


@require_safe
def course_list(request):
    return _search_page(request, template_name="courses/course_list.html")


@require_safe
def apprenticeships(request):
    return _search_page(
        request, template_name="courses/apprenticeships.html", apprenticeships_only=True
    )


def _place_from(request):
    """The place a learner searched from, carried to the course page in its query string."""
    try:
        lat, lng = float(request.GET["lat"]), float(request.GET["lng"])
        if -90 <= lat <= 90 and -180 <= lng <= 180:
            return Point(lat, lng), "your location"
    except (KeyError, ValueError):
        pass
    postcode = request.GET.get("postcode", "")[:16]
    if postcode:
        try:
            return lookup_postcode(postcode), postcode.upper()
        except GeocodingError:
            return None, ""
    return None, ""


def _apply_steps(runs) -> list[dict]:
    """How to apply, said once when every intake is the same, or once per group of intakes."""
    groups: dict[tuple[str, str], list] = {}
    for run in runs:
        if run.how_to_apply or run.apply_url:
            groups.setdefault((run.how_to_apply, run.apply_url), []).append(run)
    steps = []
    for (how_to_apply, apply_url), group in groups.items():
        starts = "" if len(groups) == 1 else ", ".join(f"{r.start_date:%B %Y}" for r in group)
        steps.append(
            {
                "how_to_apply": how_to_apply,
                "apply_url": apply_url,
                "starts": starts,
                "plural": len(group),
            }
        )
    return steps


# A course page is the same for everyone who asks its URL but for the shortlist button, which
# is rendered per request into the shared part's slot.
DETAIL_PART = "course-detail"


# Whether the course is still published, and when it was last edited, read live (one query,
# compiled once per process): a course taken down is gone at once, and an edit to it shows at
# once, because the kept page is kept for that edit.
_live_course = compiled.by_slug(
    lambda slug: Course.objects.published().filter(slug=slug).only("pk", "updated_at")
)


@require_safe
@cache_control(no_cache=True)  # its live part must be fresh for everyone
def course_detail(request, slug: str):
    live = _live_course(slug)
    if live is None:
        raise Http404("No such course")
    parts = shared_parts.page_parts(
        request,
        f"{DETAIL_PART}-{live.pk}-{live.updated_at.timestamp()}",
        lambda: _course_parts(request, slug),
    )
    shortlist = request.session.get(SHORTLIST_KEY, [])
    buttons = render_to_string(
        "courses/_shortlist_button.html",
        {
            "request": request,
            "course": {"slug": parts["slug"]},
            "in_shortlist": parts["pk"] in shortlist,
            "shortlist_count": len(shortlist),
        },
    )
    return render(
        request,
        "courses/course_detail.html",
        {"parts": parts, "content": shared_parts.fill(parts["html"], shortlist=buttons)},
    )


def _course_parts(request, slug: str) -> dict:
    course = get_object_or_404(
        Course.objects.published()
        .defer("search_vector")  # for searching only; the page never shows it
        .select_related("institute", "route")
        .prefetch_related(
            "sector_tags",
            Prefetch(
                "partner_employers", queryset=Organisation.objects.approved().only("name", "slug")
            ),
        ),
        slug=slug,
    )
    point, place_label = _place_from(request)
    runs = CourseRun.objects.upcoming().filter(course=course)
    if point:
        runs = runs.annotate(distance=distance_miles(point))
    runs = list(runs)
    related = (
        Course.objects.published()
        .filter(route=course.route_id, level__in=[course.level, course.level + 1])
        .exclude(title=course.title)
        .select_related("institute")
        .only("title", "slug", "qualification_type", "level", "institute__name")
        # Other courses at the same institute first, then the next level up elsewhere.
        .annotate(here=Case(When(institute=course.institute_id, then=1), default=0))
        .order_by("-here", "-level", "title")[:4]
    )
    context = {
        "course": course,
        "runs": runs,
        "apply_steps": _apply_steps(runs),
        "related": related,
        "place_label": place_label,
        "shortlist_slot": shared_parts.slot("shortlist"),
    }
    json_ld = ld_json(course_json_ld(request, course, runs))
    return {
        "pk": course.pk,
        "slug": course.slug,
        "name": course.title,
        "title": f"{course.title} – {course.institute.name}",
        "summary": course.summary,
        "json_ld": json_ld,
        "html": render_to_string("courses/_course_detail.html", context, request),
    }


@require_http_methods(["GET", "HEAD", "POST"])
def enquire(request, slug: str):
    course = get_object_or_404(Course.objects.published().select_related("institute"), slug=slug)
    form = EnquiryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and ratelimit.too_many(
        request, scope="enquiry", limit=20, window=3600,
        per=request.POST.get("email", ""), per_limit=5,
    ):  # fmt: skip
        return ratelimit.too_many_response(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        submit_enquiry(
            course=course,
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            message=data["message"],
            equality=form.equality_answers(),
        )
        request.session["enquiry_sent_to"] = data["email"]
        return redirect("courses:enquiry_sent", slug=course.slug)
    status = 400 if form.is_bound else 200
    return render(request, "courses/enquire.html", {"course": course, "form": form}, status=status)


@require_safe
def enquiry_sent(request, slug: str):
    course = get_object_or_404(Course.objects.published().select_related("institute"), slug=slug)
    return render(
        request,
        "courses/enquiry_sent.html",
        {"course": course, "email": request.session.get("enquiry_sent_to", "")},
    )


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(fallback)


# No CSRF token, so that pages listing courses carry no per-visitor token and can be cached for
# anonymous visitors. A forged cross-site POST could only change a shortlist, and the session
# cookie is SameSite=Lax, so such a POST arrives without the victim's session anyway.
@csrf_exempt
@require_POST
def shortlist_toggle(request, slug: str):
    course = get_object_or_404(Course.objects.published(), slug=slug)
    shortlist = [pk for pk in request.session.get(SHORTLIST_KEY, []) if isinstance(pk, int)]
    if course.pk in shortlist:
        shortlist.remove(course.pk)
        messages.success(request, f"{course.title} was removed from your shortlist.")
    elif len(shortlist) >= SHORTLIST_LIMIT:
        messages.error(
            request, f"Your shortlist is full ({SHORTLIST_LIMIT} courses). Remove one first."
        )
    else:
        shortlist.append(course.pk)
        messages.success(
            request,
            format_html(
                '{} was added to <a href="{}">your shortlist</a> ({} course{}).',
                course.title,
                reverse("courses:shortlist"),
                len(shortlist),
                pluralize(len(shortlist)),
            ),
        )
    request.session[SHORTLIST_KEY] = shortlist
    return _back(request, course.get_absolute_url())


@require_safe
def shortlist(request):
    ids = request.session.get(SHORTLIST_KEY, [])
    courses = Course.objects.published().filter(pk__in=ids).for_listing().order_by("title")
    return render(request, "courses/shortlist.html", {"courses": courses})


@login_required
@require_POST
def save_current_search(request):
    query = QueryDict(request.POST.get("query", "")[:2000])
    apprenticeships_only = request.POST.get("apprenticeships") == "1"
    try:
        saved, created = save_search(
            user=request.user, query=query, apprenticeships_only=apprenticeships_only
        )
    except SavedSearchError as error:
        messages.error(request, str(error))
        return redirect("apprenticeships" if apprenticeships_only else "courses:list")
    if created:
        things = "apprenticeships" if saved.apprenticeships_only else "courses"
        messages.success(
            request,
            f"Search saved. We will email you when new {things} match “{saved.name}”, "
            "if you choose to get course alerts.",
        )
    else:
        messages.info(request, "You had already saved this search.")
    return redirect(saved.get_absolute_url())


@login_required
@require_safe
def saved_searches(request):
    return render(
        request,
        "courses/saved_searches.html",
        {
            "searches": request.user.saved_searches.all(),
            "alerts_on": has_consent(request.user.email, "course-alerts"),
        },
    )


@login_required
@require_POST
def delete_saved_search(request, pk: int):
    saved = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    saved.delete()
    messages.success(request, f"The saved search “{saved.name}” was deleted.")
    return redirect("courses:saved_searches")
