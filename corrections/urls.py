from django.urls import path

from . import views
from .feeds import CorrectionsFeed

app_name = "corrections"

urlpatterns = [
    path("", views.corrections_index, name="index"),
    path("feed/", CorrectionsFeed(), name="feed"),
    path("policy/", views.policy, name="policy"),
]
