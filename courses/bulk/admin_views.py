"""The bulk upload's pages in the staff workspace, reached from the course list: upload,
preview and progress, confirm, the template, its help page and the IoT's download."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse

from institutes.models import Institute, Route
from iot_network.staff.scoping import scope_of
from iot_network.web.csv_export import csv_response
from iot_network.web.listing import EmptyState

from ..choices import QualificationType
from ..models import Course, CourseImport, CourseRun, Level
from . import services
from .columns import COLUMNS
from .exporting import catalogue_rows
from .files import MAX_ROWS, MAX_UPLOAD_BYTES, describe_size, example_row, header, xlsx_bytes
from .forms import DownloadForm, UploadForm

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(model_admin, request, template: str, title: str, **context) -> TemplateResponse:
    return TemplateResponse(
        request,
        f"admin/courses/course/{template}",
        {
            **model_admin.admin_site.each_context(request),
            "opts": Course._meta,
            "title": title,
            **context,
        },
    )


def upload(model_admin, request):
    editable = Institute.objects.for_staff(request.user, edit=True)
    form = UploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        institutes=editable,
    )
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        course_import = services.create_import(
            institute=form.cleaned_data["institute"],
            file_name=upload_file.name,
            content=upload_file.read(),
            withdraw_absent=form.cleaned_data["withdraw_absent"],
            acting_user=request.user,
        )
        return redirect(course_import.get_absolute_url())
    recent = (
        CourseImport.objects.for_staff(request.user)
        .select_related("institute", "uploaded_by")
        .defer("content")[:20]
    )
    response = _page(
        model_admin,
        request,
        "import_upload.html",
        "Bulk upload courses",
        form=form,
        can_upload=scope_of(request.user).can_edit and editable.exists(),
        recent=recent,
        empty_recent=EmptyState(
            message="No uploads yet",
            explanation="Uploads of your institutes' courses will be listed here.",
            level=0,
        ),
        download_form=DownloadForm(institutes=Institute.objects.for_staff(request.user)),
    )
    if form.is_bound and not form.is_valid():
        response.status_code = 400
    return response


def detail(model_admin, request, pk: int):
    course_import = get_object_or_404(
        CourseImport.objects.for_staff(request.user).select_related("institute").defer("content"),
        pk=pk,
    )
    progress = services.read_progress(course_import.pk) if course_import.is_working else None
    percent = (
        min(100, round(100 * progress["done"] / progress["total"]))
        if progress
        else (0 if course_import.is_working else 100)
    )
    return _page(
        model_admin,
        request,
        "import_detail.html",
        f"Upload: {course_import.file_name}",
        course_import=course_import,
        percent=percent,
        can_confirm=CourseImport.objects.for_staff(request.user, edit=True)
        .filter(pk=course_import.pk)
        .exists(),
        more_errors=course_import.error_count - len(course_import.errors),
    )


def progress(model_admin, request, pk: int):
    course_import = get_object_or_404(
        CourseImport.objects.for_staff(request.user).only("pk", "status"), pk=pk
    )
    state = services.read_progress(course_import.pk) or {"done": 0, "total": 1, "stage": ""}
    working = course_import.is_working
    return JsonResponse(
        {
            "status": course_import.status,
            "working": working,
            "percent": min(100, round(100 * state["done"] / state["total"])) if working else 100,
            "done": state["done"],
            "total": state["total"],
        }
    )


def confirm(model_admin, request, pk: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    course_import = get_object_or_404(
        CourseImport.objects.for_staff(request.user, edit=True).defer("content"), pk=pk
    )
    course_import = services.confirm_import(course_import=course_import, acting_user=request.user)
    if course_import.status == CourseImport.Status.APPLIED:
        messages.success(request, "The upload has been applied.")
    elif course_import.status == CourseImport.Status.READY:
        messages.warning(
            request,
            "Nothing was changed: the catalogue changed after your preview, so confirming "
            "would no longer do what it showed. Check the new preview below and confirm again.",
        )
    return redirect(course_import.get_absolute_url())


def template(model_admin, request, fmt: str):
    if fmt == "xlsx":
        response = HttpResponse(xlsx_bytes([example_row()]), content_type=XLSX_TYPE)
        response["Content-Disposition"] = 'attachment; filename="courses-template.xlsx"'
        return response
    if fmt != "csv":
        raise Http404("No such format.")
    response, _ = csv_response(
        filename="courses-template.csv", header=header(), rows=[example_row()]
    )
    return response


def help_page(model_admin, request):
    return _page(
        model_admin,
        request,
        "import_help.html",
        "Bulk upload: the columns",
        columns=COLUMNS,
        routes=Route.objects.order_by("name"),
        levels=Level.choices,
        qualification_types=QualificationType.choices,
        study_modes=CourseRun.StudyMode.choices,
        attendances=CourseRun.Attendance.choices,
        max_size=describe_size(MAX_UPLOAD_BYTES),
        max_rows=MAX_ROWS,
    )


def download(model_admin, request):
    form = DownloadForm(request.GET, institutes=Institute.objects.for_staff(request.user))
    if not form.is_valid():
        raise Http404("Choose one of your institutes and a format.")
    institute, fmt = form.cleaned_data["institute"], form.cleaned_data["format"]
    rows = catalogue_rows(institute_id=institute.pk)
    name = f"courses-{institute.slug}.{fmt}"
    if fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(rows), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    else:
        response, _ = csv_response(filename=name, header=header(), rows=rows)
    services.record_download(institute=institute, file_name=name, acting_user=request.user)
    return response
