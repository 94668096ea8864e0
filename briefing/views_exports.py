"""The briefing exports: PDF, XLSX and CSV of a region's day, and the jobs of the big ones.

Thin function views: access (404 outside the user's region), a form for the GET parameters,
then briefing.exports. A small region's file is answered at once; a big one's PDF or XLSX is
built by a worker (exports.export_runs_async) and this module shows its progress and serves it.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from readiness import access
from readiness.models import Region, User
from readiness.selectors import local_today

from . import exports
from .models import ExportJob, ExportKind

KINDS = (ExportKind.PDF, ExportKind.XLSX, "csv")


class ExportForm(forms.Form):
    """Which day (`tanggal`, today by default, never the future) and, for a CSV, which table."""

    tanggal = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Tanggal tidak dikenal; gunakan format TTTT-BB-HH.")},
    )
    tabel = forms.ChoiceField(
        required=False,
        choices=[("", "")] + [(table, table) for table in exports.CSV_TABLES],
        error_messages={"invalid_choice": _("Tabel tidak dikenal: %(value)s.")},
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_tanggal(self):
        day = self.cleaned_data["tanggal"] or self.today
        if day > self.today:
            raise forms.ValidationError(
                _("Tanggal %(day)s belum tiba."), params={"day": day.strftime("%d-%m-%Y")}
            )
        return day

    def clean_tabel(self):
        return self.cleaned_data["tabel"] or "wilayah"


@login_required
@require_http_methods(["GET", "POST"])
def briefing_export(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    """The file, or for a big region a page that starts its job (POST) and then follows it."""
    region = access.region_for_viewer_or_404(request.user, code)
    if kind not in KINDS:
        raise Http404
    form = ExportForm(request.GET, today=local_today(region.code))
    if not form.is_valid():
        errors = [str(error) for errors in form.errors.values() for error in errors]
        return HttpResponse(" ".join(errors), status=400, content_type="text/plain; charset=utf-8")
    day = form.cleaned_data["tanggal"]
    if kind == "csv":
        return _csv_response(region, day, form.cleaned_data["tabel"])
    if exports.export_runs_async(region=region, kind=kind):
        if request.method == "POST":
            job = exports.export_job_start(user=request.user, region=region, day=day, kind=kind)
            return redirect("briefing_export_job", job_id=job.pk)
        context = {"region": region, "day": day, "kind": kind, "day_label": exports.day_label(day)}
        return render(request, "briefing/_export_start.html", context)
    content = exports.export_render(region=region, day=day, kind=kind)
    return _file_response(
        content, kind=kind, name=exports.export_file_name(region=region, day=day, kind=kind)
    )


def _file_response(content: bytes, *, kind: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _csv_response(region: Region, day, table: str) -> StreamingHttpResponse:
    # Streamed: the TPS-at-risk list of a province runs to thousands of rows.
    response = StreamingHttpResponse(
        exports.csv_lines(exports.csv_table(region=region, day=day, table=table)),
        content_type=exports.CONTENT_TYPES["csv"],
    )
    name = exports.export_file_name(region=region, day=day, kind="csv", table=table)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _job_for_user_or_404(user: User, job_id: int, *, with_content: bool = False) -> ExportJob:
    """The job, if `user` asked for it and may still see its region; 404 otherwise."""
    jobs = ExportJob.objects.select_related("region")
    if not with_content:
        jobs = jobs.defer("content")
    job = jobs.filter(pk=job_id, requested_by_id=user.pk).first()
    if job is None or not access.can_see(user, job.region_id):
        raise Http404
    return job


@login_required
@require_GET
def export_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """The job's page; htmx polls its #export-job fragment every 2 s until it is done."""
    job = _job_for_user_or_404(request.user, job_id)
    context = {
        "job": job,
        "percent": exports.export_job_percent(job),
        "day_label": exports.day_label(job.day),
    }
    template = "briefing/_export_job.html"
    if request.htmx:
        template += "#job"
    return render(request, template, context)


@login_required
@require_GET
def export_job_download(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_for_user_or_404(request.user, job_id, with_content=True)
    if not job.is_done:
        raise Http404
    return _file_response(bytes(job.content), kind=job.kind, name=job.file_name)
