from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from . import views

admin.site.site_header = f"{settings.SITE_NAME} — editors' desk"
admin.site.site_title = f"{settings.SITE_NAME} editors' desk"
admin.site.index_title = "Reports, authors, regions and topics"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("regions/", include("tags.urls.regions")),
    path("topics/", include("tags.urls.topics")),
    path("authors/", include("authors.urls")),
    path("", include("reports.urls")),
]

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
