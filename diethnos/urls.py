from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_control
from django.views.generic import RedirectView, TemplateView
from django.views.static import serve

from api.endpoints import api
from authors.account_views import AdminSignInView
from reports import sharing
from reports import views as report_views
from reports.sitemaps import news_sitemap, section_sitemap, sitemap_index

from . import content_security, views

admin.site.site_header = f"{settings.SITE_NAME} — editors' desk"
admin.site.site_title = f"{settings.SITE_NAME} editors' desk"
admin.site.index_title = "Reports, authors, regions and topics"

urlpatterns = [
    # Offers "Forgotten your password?" on the editors' desk sign-in page.
    path(
        "admin/password_reset/",
        RedirectView.as_view(pattern_name="password_reset"),
        name="admin_password_reset",
    ),
    # The desk's sign-in asks for the two-factor code too (authors/two_factor.py).
    path("admin/login/", AdminSignInView.as_view()),
    path("admin/", admin.site.urls),
    # Before the other "accounts/" routes, so that none of them can shadow it.
    path("accounts/reports/", report_views.my_reports, name="my-reports"),
    path("accounts/", include("authors.account_urls")),
    path("healthz", views.healthz, name="healthz"),
    path("csp-report/", content_security.csp_report, name="csp-report"),
    path("sitemap.xml", sitemap_index, name="sitemap"),
    path("sitemap-<section>.xml", section_sitemap, name="sitemap-section"),
    path("news-sitemap.xml", news_sitemap, name="news-sitemap"),
    path(
        "robots.txt",
        cache_control(public=True, max_age=60 * 60 * 24)(
            TemplateView.as_view(template_name="robots.txt", content_type="text/plain")
        ),
        name="robots",
    ),
    path("api/v1/", api.urls),
    path("preview/<str:token>/", sharing.shared_preview, name="share-link"),
    path("corrections/", include("corrections.urls")),
    path("regions/", include("tags.urls.regions")),
    path("topics/", include("tags.urls.topics")),
    path("authors/", include("authors.urls")),
    path("", include("reports.urls")),
]

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
