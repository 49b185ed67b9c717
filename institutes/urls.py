from django.urls import path

from . import views

app_name = "institutes"

# The institute page pulls in courses, events and opportunities, so the URL roots add it
# (iot_network/urls.py).

urlpatterns = [
    path("", views.institute_list, name="list"),
    path("nearest/", views.nearest, name="nearest"),
]
