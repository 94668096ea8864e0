from django.urls import path

from . import views

urlpatterns = [
    path(
        "wilayah/<str:code>/laporan/indikator/", views.indicators_report, name="indicators_report"
    ),
]
