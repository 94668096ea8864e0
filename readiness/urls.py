from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "masuk/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("wilayah/", views.national, name="national"),
    path("wilayah/<str:code>/laporan/", views.daily_report, name="daily_report"),
    path("wilayah/<str:code>/laporan/tinjau/", views.report_review, name="report_review"),
    path("wilayah/<str:code>/tps/", views.tps_table, name="tps_table"),
    path("wilayah/<str:code>/tps/massal/", views.tps_bulk, name="tps_bulk"),
    path("wilayah/<str:code>/tps/<int:tps_id>/", views.tps_row, name="tps_row"),
    path("wilayah/<str:code>/tps/<int:tps_id>/riwayat/", views.tps_history, name="tps_history"),
]
