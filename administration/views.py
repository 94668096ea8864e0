from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import access, selectors, services
from .forms import ExportForm, ImportUploadForm
from .models import ImportKind
from .resources import RESOURCES


@login_required
@require_GET
def imports_home(request: HttpRequest) -> HttpResponse:
    admin = access.admin_or_403(request.user)
    return _render_home(request, admin, ImportUploadForm())


def _render_home(request, admin, form, *, status=200):
    context = {
        "form": form,
        "jobs": selectors.import_jobs_for(admin=admin),
        "kinds": ImportKind.choices,
    }
    template = "administration/imports.html"
    if request.htmx:
        template += "#upload"
    return render(request, template, context, status=status)


@login_required
@require_POST
def import_upload(request: HttpRequest) -> HttpResponse:
    """Keep the file and preview it (in a worker when it is big); then show the job."""
    admin = access.admin_or_403(request.user)
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_home(request, admin, form, status=400)
    job = services.import_job_create(
        admin=admin,
        kind=form.cleaned_data["kind"],
        upload=form.cleaned_data["file"],
        base_url=request.build_absolute_uri("/"),
    )
    services.import_job_preview_start(job=job)
    return redirect("administration:import_job", job_id=job.pk)


@login_required
@require_GET
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """The job page; htmx polls its #job fragment every 2 s while a worker is at it."""
    job = access.import_job_for_admin_or_404(request.user, job_id)
    return _render_job(request, job)


def _render_job(request, job, *, status=200):
    context = {
        "job": job,
        "progress": selectors.import_job_progress(job=job),
        "errors_shown": job.errors[: selectors.ERRORS_SHOWN],
        "invitations": selectors.invitations_for_job(job=job),
    }
    template = "administration/import_job.html"
    if request.htmx:
        template += "#job"
    return render(request, template, context, status=status)


@login_required
@require_POST
def import_apply(request: HttpRequest, job_id: int) -> HttpResponse:
    job = access.import_job_for_admin_or_404(request.user, job_id)
    try:
        services.import_job_apply_start(job=job, admin=request.user)
    except services.ImportNotApplicable as refused:
        messages.error(request, str(refused))
        job.refresh_from_db()
        return _render_job(request, job, status=409)
    job = access.import_job_for_admin_or_404(request.user, job_id)
    if request.htmx:
        return _render_job(request, job)
    return redirect("administration:import_job", job_id=job.pk)


@login_required
@require_GET
def import_errors_csv(request: HttpRequest, job_id: int) -> HttpResponse:
    """Every stored problem of the job, for an admin fixing a long file."""
    job = access.import_job_for_admin_or_404(request.user, job_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kesalahan-impor-{job.pk}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 correctly only with the byte-order mark
    writer = csv.writer(response)
    writer.writerow(["baris", "kolom", "keterangan"])
    for line, column, message in job.errors:
        writer.writerow([line or "", column or "", message])
    return response


@login_required
@require_GET
def export(request: HttpRequest, kind: str) -> HttpResponse:
    """The admin's part of a registry, in exactly the columns its import reads."""
    admin = access.admin_or_403(request.user)
    if kind not in RESOURCES:
        raise Http404
    form = ExportForm(request.GET)
    if not form.is_valid():
        return HttpResponse(" ".join(form.errors["format"]), status=400)
    file_format = form.cleaned_data["format"] or "csv"
    dataset = selectors.export_dataset(kind=kind, admin=admin)
    if file_format == "xlsx":
        response = HttpResponse(
            dataset.export("xlsx"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(dataset.export("csv"), content_type="text/csv; charset=utf-8")
    scope = admin.region_id or "nasional"
    response["Content-Disposition"] = f'attachment; filename="{kind}-{scope}.{file_format}"'
    return response


@login_required
@require_POST
def user_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    target = access.user_for_admin_or_404(request.user, user_id)
    services.user_deactivate(user=target)
    messages.success(
        request, _("Pengguna %(name)s dinonaktifkan; laporannya tetap ada.") % {"name": target}
    )
    return redirect("administration:imports")


@never_cache
@require_http_methods(["GET", "POST"])
def set_password(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The invitation link: set a first password once; afterwards the link no longer works."""
    user = _invited_user(uidb64)
    if user is None or not user.is_active or not default_token_generator.check_token(user, token):
        return render(request, "administration/set_password.html", {"valid": False}, status=400)
    form = SetPasswordForm(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.user_password_set(form=form)
        messages.success(request, _("Kata sandi tersimpan. Silakan masuk."))
        return redirect("login")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "administration/set_password.html",
        {"valid": True, "form": form, "invited": user},
        status=status,
    )


def _invited_user(uidb64: str):
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        return get_user_model().objects.get(pk=pk)
    except (ValueError, TypeError, OverflowError, get_user_model().DoesNotExist):
        return None
