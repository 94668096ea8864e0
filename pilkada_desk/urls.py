from django.contrib import admin
from django.urls import include, path

from readiness import api as readiness_api
from readiness import views as readiness_views

admin.site.site_header = "Desk Pilkada"
admin.site.site_title = "Desk Pilkada"
admin.site.index_title = "Data induk"

urlpatterns = [
    path("healthz", readiness_views.healthz, name="healthz"),
    path("api/v1/rollups/<str:code>/", readiness_api.rollup_detail, name="api_rollup_detail"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("kelola/", include("administration.urls")),
    # Before readiness: briefing serves the region page (`region_dashboard`).
    path("", include("briefing.urls")),
    path("", include("readiness.urls")),
    path("", include("logistics.urls")),
    path("", include("security.urls")),
    path("", include("indicators.urls")),
]
