"""The staff evaluation report: ask for one (an IoT you work with, or the network if you are
national staff, and a period), watch it build, download it as CSV or XLSX."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from iot_network.staff import audit
from iot_network.staff.mixins import ScopedAdminMixin

from . import downloads, services
from .forms import ReportForm
from .models import EvaluationReport


@admin.register(EvaluationReport)
class EvaluationReportAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "status", "progress", "requested_by", "created_at"]
    list_filter = ["status"]
    list_select_related = ["institute", "requested_by"]
    staff_may_delete = False  # national admins tidy old reports

    # IoT staff and national admins ask for reports (read-only viewers cannot, as with every
    # other record); nobody edits one.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self._scope(request).national

    def get_urls(self):
        return [
            path(
                "<int:pk>/download.<str:fmt>",
                self.admin_site.admin_view(self.download_view),
                name="impact_evaluationreport_download",
            ),
        ] + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ReportForm(request.POST if request.method == "POST" else None, user=request.user)
        if request.method == "POST" and form.is_valid():
            report = services.request_report(
                acting_user=request.user, institute=form.institute, period=form.period
            )
            return redirect(reverse("admin:impact_evaluationreport_change", args=[report.pk]))
        return TemplateResponse(
            request,
            "admin/impact/report_form.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "New evaluation report",
                "form": form,
            },
            status=400 if form.is_bound else 200,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = get_object_or_404(
            self.get_queryset(request).select_related("institute"), pk=object_id
        )
        return TemplateResponse(
            request,
            "admin/impact/report.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": str(report),
                "report": report,
                "original": report,
                "building": report.status
                in (EvaluationReport.Status.QUEUED, EvaluationReport.Status.BUILDING),
            },
        )

    def download_view(self, request, pk, fmt):
        report = get_object_or_404(self.get_queryset(request).select_related("institute"), pk=pk)
        if fmt not in ("csv", "xlsx") or report.status != EvaluationReport.Status.READY:
            raise Http404("No such download")
        audit.record(
            actor=request.user, action=f"downloaded evaluation report ({fmt})", target=report
        )
        who = report.institute.slug if report.institute_id else "network"
        filename = f"evaluation-{who}-{report.period_start:%Y%m%d}-{report.period_end:%Y%m%d}.{fmt}"
        title = str(report)
        if fmt == "csv":
            return downloads.as_csv(filename=filename, title=title, data=report.data)
        return downloads.as_xlsx(filename=filename, title=title, data=report.data)
