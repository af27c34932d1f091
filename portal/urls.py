from django.contrib import admin
from django.urls import include, path

from .health import healthz

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("officers/", include("officers.urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("applications.urls")),
]
