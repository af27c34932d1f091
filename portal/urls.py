from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts import mfa_views
from accounts import views as accounts_views

from .health import healthz

# The admin signs in through allauth's pages, so its users pass the same two-factor step.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", accounts_views.language_set, name="set_language"),
    # Before allauth's own route of the same name (see the view's docstring).
    path("accounts/2fa/totp/activate/", mfa_views.totp_activate, name="mfa_activate_totp"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("officers/", include("officers.urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("rules.urls")),
    path("", include("permits.urls")),
    path("", include("applications.urls")),
]
