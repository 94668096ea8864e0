from django.urls import path

from . import views

urlpatterns = [
    path("wilayah/<str:code>/laporan/personel/", views.personnel_report, name="personnel_report"),
    path("wilayah/<str:code>/insiden/", views.incident_list, name="incident_list"),
    path("wilayah/<str:code>/insiden/baru/", views.incident_create, name="incident_create"),
    path("insiden/<int:pk>/", views.incident_detail, name="incident_detail"),
]
