from django.conf import settings


def site(request):
    return {
        "site_name": settings.SITE_NAME,
        "contact_email": settings.CONTACT_EMAIL,
        "show_demo_banner": settings.SHOW_DEMO_BANNER,
    }


# The course shortlist lives in the session under this key (courses/views.py writes it).
SHORTLIST_KEY = "course_shortlist"


def shortlist(request):
    """How many courses are on the visitor's shortlist, for the header. Read only when the
    visitor has a session already: opening one for every page would stop the page cache."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return {"shortlist_count": 0}
    return {"shortlist_count": len(request.session.get(SHORTLIST_KEY, []))}
