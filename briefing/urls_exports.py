from django.urls import path

from . import views_exports

urlpatterns = [
    # ?tanggal=YYYY-MM-DD (today by default); the CSV also takes ?tabel=wilayah|logistik|…
    path(
        "wilayah/<str:code>/ekspor/<str:kind>/",
        views_exports.briefing_export,
        name="briefing_export",
    ),
    path("ekspor/<int:job_id>/", views_exports.export_job, name="briefing_export_job"),
    path(
        "ekspor/<int:job_id>/unduh/",
        views_exports.export_job_download,
        name="briefing_export_download",
    ),
]
