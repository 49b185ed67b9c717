from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.decorators.cache import cache_page

from courses import views as course_views
from institutes import urls as institute_urls
from iot_network.portal import views as portal_views
from iot_network.portal.sitemaps import SITEMAPS
from iot_network.web.security import security_txt
from iot_network.web.views import robots_txt

admin.site.site_header = f"{settings.SITE_NAME} staff workspace"

# The URL roots are the top of the layers (README, "How the code is laid out"): they may put a
# composition page among an app's URLs, as the institute page is here.
institutes = [
    *institute_urls.urlpatterns,
    path("<slug:slug>/", portal_views.institute_detail, name="detail"),
]

urlpatterns = [
    path("", include("iot_network.portal.urls")),
    path("", include("iot_network.web.urls")),
    path("institutes/", include((institutes, institute_urls.app_name))),
    path("courses/", include("courses.urls")),
    path("apprenticeships/", course_views.apprenticeships, name="apprenticeships"),
    path("events/", include("events.urls")),
    path("impact/", include("iot_network.impact.urls")),
    path("", include("partners.urls")),
    path("api/v1/", include("iot_network.api.urls")),
    path("", include("stories.urls")),
    path("newsletter/", include("newsletter.urls")),
    path("account/", include("allauth.urls")),
    path("email/", include("iot_network.notifications.urls")),
    path(
        "sitemap.xml",
        cache_page(60 * 60)(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        cache_page(60 * 60)(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", robots_txt, name="robots"),
    path(".well-known/security.txt", security_txt, name="security-txt"),
    path(settings.ADMIN_URL, admin.site.urls),
]

if settings.DEBUG:
    # The quick start serves uploaded images itself; production serves them from the web
    # server or the bucket (README, "Stories and news").
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "iot_network.web.views.bad_request"
handler403 = "iot_network.web.views.permission_denied"
handler404 = "iot_network.web.views.page_not_found"
handler500 = "iot_network.web.views.server_error"
