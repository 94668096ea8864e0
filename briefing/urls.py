from importlib.util import find_spec

from django.urls import include, path

from . import views

urlpatterns = [
    # Takes over readiness's region page: the dashboard is every region's home page.
    path("wilayah/<str:code>/", views.region_dashboard, name="region_dashboard"),
    path("wilayah/<str:code>/tps-rawan/", views.tps_at_risk, name="tps_at_risk"),
]

# The exports (PDF/XLSX/CSV) live in their own URL module, written alongside this one.
if find_spec("briefing.urls_exports") is not None:
    urlpatterns.append(path("", include("briefing.urls_exports")))
