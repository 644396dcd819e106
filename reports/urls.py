from django.urls import path

from . import feeds, views

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("reports/", views.report_list, name="list"),
    path("reports/<slug:slug>/", views.report_detail, name="detail"),
    path("search/", views.search, name="search"),
    path("feed/", feeds.LatestReportsFeed(), name="feed"),
    path("feed.json", feeds.LatestReportsJsonFeed(), name="json-feed"),
]
