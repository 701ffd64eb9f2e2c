from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from heapprivacy.accounts import views as account_views
from heapprivacy.ops.views import healthz

# Single sign-on only when configured; under accounts/, which the second-factor check leaves open.
single_sign_on = (
    [path("accounts/oidc/", include("mozilla_django_oidc.urls"))]
    if settings.OIDC_RP_CLIENT_ID
    else []
)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", account_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", account_views.second_factor, name="mfa_verify"),
    path("accounts/two-factor/setup", account_views.authenticator_setup, name="mfa_setup"),
    path(
        "accounts/password/<uidb64>/<token>/",
        account_views.PasswordSetView.as_view(),
        name="password_set",
    ),
    *single_sign_on,
    path("admin/", admin.site.urls),
    path("api/", include("heapprivacy.api.urls")),
    path("privacy/", include("heapprivacy.intake.urls")),
    path("privacy/", include("heapprivacy.reports.certificate_link_urls")),
    path("reports/", include("heapprivacy.reports.urls")),
    path("", include("heapprivacy.console.urls")),
]
