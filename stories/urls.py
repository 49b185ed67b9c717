from django.urls import path

from . import feeds, partner_area, views

app_name = "stories"

urlpatterns = [
    path("stories/", views.story_list, name="list"),
    path("stories/feed/", feeds.StoriesFeed(), name="feed"),
    path("stories/feed/<slug:slug>/", feeds.InstituteStoriesFeed(), name="institute-feed"),
    path("stories/<slug:slug>/", views.story_detail, name="detail"),
    path("partner-area/<slug:slug>/case-studies/", partner_area.case_studies, name="case-studies"),
    path(
        "partner-area/<slug:slug>/case-studies/new/",
        partner_area.case_study,
        name="propose-case-study",
    ),
    path(
        "partner-area/<slug:slug>/case-studies/<int:pk>/",
        partner_area.case_study,
        name="case-study",
    ),
]
