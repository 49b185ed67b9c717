from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse


class StaffMFAMiddleware:
    """Staff accounts must have an authenticator app set up before any admin page opens.

    The admin's own login is not used (it redirects to the site's login, which is rate-limited
    and asks for the code), so this only has to check that the second factor exists."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        admin_prefix = reverse("admin:index")
        user = request.user
        if (
            request.path.startswith(admin_prefix)
            and user.is_authenticated
            and user.is_staff
            and not is_mfa_enabled(user, [Authenticator.Type.TOTP])
        ):
            messages.warning(
                request,
                "Staff accounts need two-factor authentication. Set up an authenticator app "
                "to open the staff workspace.",
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
