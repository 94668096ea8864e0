from django.urls import path

from . import views

urlpatterns = [
    path("wilayah/<str:code>/laporan/logistik/", views.logistics_report, name="logistics_report"),
]
