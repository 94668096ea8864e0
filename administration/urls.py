from django.urls import path

from . import views

app_name = "administration"

urlpatterns = [
    path("", views.imports_home, name="imports"),
    path("impor/", views.import_upload, name="import_upload"),
    path("impor/<int:job_id>/", views.import_job, name="import_job"),
    path("impor/<int:job_id>/terapkan/", views.import_apply, name="import_apply"),
    path("impor/<int:job_id>/kesalahan.csv", views.import_errors_csv, name="import_errors"),
    path("ekspor/<str:kind>/", views.export, name="export"),
    path("pengguna/<int:user_id>/nonaktifkan/", views.user_deactivate, name="user_deactivate"),
    path("undangan/<uidb64>/<token>/", views.set_password, name="set_password"),
]
