"""A second URLconf for tests/web/test_cached_urls.py: the same names under another prefix."""

from django.urls import include, path

urlpatterns = [path("elsewhere/courses/", include("courses.urls"))]
