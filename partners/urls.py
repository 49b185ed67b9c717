from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("", views.partner_list, name="list"),
    path("become-a-partner/", views.become_a_partner, name="become"),
    path("<slug:slug>/", views.partner_detail, name="detail"),
]
