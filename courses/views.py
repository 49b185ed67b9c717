from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from iot_network.web.listing import filtered_listing

from .filters import CourseFilter
from .models import Course


def _course_list(request, *, queryset, template_name: str):
    listing = filtered_listing(request, CourseFilter, queryset.for_listing())
    return render(request, template_name, {"listing": listing}, status=listing.status)


@require_safe
def course_list(request):
    return _course_list(
        request, queryset=Course.objects.published(), template_name="courses/course_list.html"
    )


@require_safe
def apprenticeships(request):
    return _course_list(
        request,
        queryset=Course.objects.published().apprenticeships(),
        template_name="courses/apprenticeships.html",
    )


@require_safe
def course_detail(request, slug: str):
    course = get_object_or_404(Course.objects.published().for_listing(), slug=slug)
    return render(request, "courses/course_detail.html", {"course": course})
