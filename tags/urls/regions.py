from django.urls import path

from reports.feeds import RegionReportsFeed, RegionReportsJsonFeed
from tags import views

app_name = "regions"

urlpatterns = [
    path("", views.region_index, name="index"),
    path("<slug:slug>/", views.region_detail, name="detail"),
    path("<slug:slug>/feed/", RegionReportsFeed(), name="feed"),
    path("<slug:slug>/feed.json", RegionReportsJsonFeed(), name="json-feed"),
]
