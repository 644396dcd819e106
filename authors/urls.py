from django.urls import path

from reports.feeds import AuthorReportsFeed, AuthorReportsJsonFeed

from . import views

app_name = "authors"

urlpatterns = [
    path("", views.author_index, name="index"),
    path("<slug:slug>/", views.author_detail, name="detail"),
    path("<slug:slug>/feed/", AuthorReportsFeed(), name="feed"),
    path("<slug:slug>/feed.json", AuthorReportsJsonFeed(), name="json-feed"),
]
