"""Pages at the root, the API under /api/v1/. Each app brings urls.py (pages) and
api_urls.py (API) when it has them."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from home import views as home_views

api_v1: list[URLPattern | URLResolver] = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("accounts.api_urls")),
    path("", include("leads.api_urls")),
    path("", include("sla.api_urls")),
    path("", include("campaigns.api_urls")),
    path("", include("feedback.api_urls")),
    path("", include("kpis.api_urls")),
    path("", include("integrations.api_urls")),
]

urlpatterns = [
    path("", home_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("accounts.urls")),
    path("leads/import/", include("leads.import_urls")),
    path("leads/", include("leads.urls")),
    path("sla/", include("sla.urls")),
    path("campaigns/", include("campaigns.urls")),
    # The weekly briefs were under feedback/ before the meetings area had them.
    path("feedback/briefs/", include("meetings.moved_urls")),
    path("feedback/", include("feedback.urls")),
    path("kpis/", include("kpis.urls")),
    path("meetings/", include("meetings.urls")),
    path("integrations/", include("integrations.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
]
