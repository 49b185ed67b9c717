from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path(
        "accessibility/",
        views.page,
        {"template_name": "web/accessibility.html"},
        name="accessibility",
    ),
    path("privacy/", views.page, {"template_name": "web/privacy.html"}, name="privacy"),
    path("contact/", views.page, {"template_name": "web/contact.html"}, name="contact"),
    path("about/", views.page, {"template_name": "web/about.html"}, name="about"),
]
