from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .delivery import read_unsubscribe_token
from .forms import PreferencesForm
from .models import OPTIONAL_CATEGORIES, Category, ConsentChange
from .services import consents_for, set_consent


# The signed token is the credential, and RFC 8058 one-click requests come from mail programs
# with no cookies or CSRF token.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    try:
        email, category = read_unsubscribe_token(token)
    except signing.BadSignature:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    if category not in OPTIONAL_CATEGORIES:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    context = {"email": email, "category_label": Category(category).label}
    if request.method != "POST":
        # GET never unsubscribes: link scanners and previews follow links.
        return render(request, "notifications/unsubscribe_confirm.html", context)
    one_click = request.POST.get("List-Unsubscribe") == "One-Click"
    set_consent(
        email=email,
        category=category,
        granted=False,
        source=ConsentChange.Source.ONE_CLICK
        if one_click
        else ConsentChange.Source.UNSUBSCRIBE_PAGE,
        user=request.user if request.user.is_authenticated else None,
    )
    return render(request, "notifications/unsubscribe_done.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request):
    current = consents_for(request.user.email)
    form = PreferencesForm(request.POST if request.method == "POST" else None, initial=current)
    if request.method == "POST" and form.is_valid():
        for category, granted in form.cleaned_data.items():
            set_consent(
                email=request.user.email,
                category=category,
                granted=granted,
                source=ConsentChange.Source.PREFERENCES,
                user=request.user,
            )
        messages.success(request, "Your email choices have been saved.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
