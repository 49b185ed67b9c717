"""A URLconf for tests/web/test_fixed_url.py: the site's shared pages under another path."""

from django.urls import include, path

urlpatterns = [path("elsewhere/", include("iot_network.web.urls"))]
