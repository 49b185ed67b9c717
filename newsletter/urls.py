from django.urls import path

from . import views

app_name = "newsletter"

urlpatterns = [
    path("", views.archive, name="archive"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("<int:pk>/", views.issue_page, name="issue"),
]
