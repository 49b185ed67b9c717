from django.urls import path

from . import views

app_name = "institutes"

urlpatterns = [
    path("", views.institute_list, name="list"),
    path("<slug:slug>/", views.institute_detail, name="detail"),
]
