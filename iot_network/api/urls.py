from django.urls import path

from . import views  # noqa: F401 (registers the endpoints)
from .api import api
from .docs import documentation

urlpatterns = [
    path("", documentation, name="api-docs"),
    path("", api.urls),
]
