from django.urls import path

from reports.feeds import TopicReportsFeed, TopicReportsJsonFeed
from tags import views

app_name = "topics"

urlpatterns = [
    path("", views.topic_index, name="index"),
    path("<slug:slug>/", views.topic_detail, name="detail"),
    path("<slug:slug>/feed/", TopicReportsFeed(), name="feed"),
    path("<slug:slug>/feed.json", TopicReportsJsonFeed(), name="json-feed"),
]
