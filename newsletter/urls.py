from django.urls import path

from . import views

app_name = "newsletter"

urlpatterns = [
    path("", views.archive, name="archive"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("new-link/", views.new_link, name="new-link"),
    path("<int:pk>/", views.issue_page, name="issue"),
]
