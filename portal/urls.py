import os

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import include, path, re_path

from accounts import mfa_views
from accounts import views as accounts_views
from university_office import urls as university_office_urls

from .health import healthz
from .observability.health import livez, readyz
from .observability.metrics import metrics

# The admin signs in through allauth's pages, so its users pass the same two-factor step.
admin.site.login = secure_admin_login(admin.site.login)

# Admin pages of the models that left the applications app (bookmarks, links in old mail): a
# permanent redirect to the same page under the app that owns the model now; 308 keeps a POST.
MOVED_ADMIN_MODELS = {
    "document": "documents",
    "permit": "permits",
    "policyversion": "rules",
    "programmelength": "rules",
    "province": "universities",
    "university": "universities",
}


def moved_admin_redirect(request: HttpRequest, model: str, rest: str) -> HttpResponse:
    url = f"/admin/{MOVED_ADMIN_MODELS[model]}/{model}/{rest}"
    if request.META.get("QUERY_STRING"):
        url = f"{url}?{request.META['QUERY_STRING']}"
    return HttpResponsePermanentRedirect(url, preserve_request=True)


urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    # The operators' view (portal/observability/): probes, and Prometheus' usual path.
    path("livez/", livez, name="livez"),
    path("readyz/", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    re_path(
        r"^admin/applications/(?P<model>{})/(?P<rest>.*)$".format("|".join(MOVED_ADMIN_MODELS)),
        moved_admin_redirect,
        name="moved-admin-redirect",
    ),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", accounts_views.language_set, name="set_language"),
    # Before allauth's own route of the same name (see the view's docstring).
    path("accounts/2fa/totp/activate/", mfa_views.totp_activate, name="mfa_activate_totp"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("officers/", include("officers.urls")),
    path("officers/university-accounts/", include(university_office_urls.supervisor_urlpatterns)),
    path("university/", include("university_office.urls")),
    path("notifications/", include("notifications.urls")),
    path("api/", include("university_office.api.urls")),
    path("", include("rules.urls")),
    path("", include("permits.urls")),
    path("", include("reports.urls")),
    path("", include("appointments.urls")),
    path("", include("applications.urls")),
]

# The capacity run of `make load` (bench/capacity.py) measures the framework's ceiling with a view
# that does nothing; only a server started with BENCH_TRIVIAL_VIEW=1 has it, production never.
if os.environ.get("BENCH_TRIVIAL_VIEW") == "1":
    urlpatterns.append(path("bench/trivial/", lambda request: HttpResponse("ok")))
