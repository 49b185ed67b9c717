"""allauth's forms in the site's words: sentence-case labels, no placeholders standing in for
labels, and errors that name the field (the shared NamedErrorsMixin). allauth finds them through
ACCOUNT_FORMS and MFA_FORMS in settings."""

from allauth.account import forms as account
from allauth.mfa.base import forms as mfa_base
from allauth.mfa.totp import forms as totp
from django.urls import reverse
from django.utils.html import format_html

from iot_network.web.forms import NamedErrorsMixin

EMAIL_INVALID = "Enter an email address in the correct format, like name@example.com."
CODE_HELP = "The 6-digit code your authenticator app shows now."


class SiteWordsMixin(NamedErrorsMixin):
    labels: dict[str, str] = {}
    help_texts: dict[str, str] = {}
    required: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.pop("placeholder", None)
            if name in self.labels:
                field.label = self.labels[name]
            if name in self.help_texts:
                field.help_text = self.help_texts[name]
            if name in self.required:
                field.error_messages["required"] = self.required[name]
            if name in ("email", "login"):
                field.error_messages["invalid"] = EMAIL_INVALID


NEW_PASSWORD = {
    "password1": "Create a password",
    "password2": "Type the password again",
}
NEW_PASSWORD_HELP = {"password1": "At least 10 characters. A few unrelated words work well."}
NEW_PASSWORD_REQUIRED = {
    "password1": "Enter a password.",
    "password2": "Type the password again, to check it.",
}


class LoginForm(SiteWordsMixin, account.LoginForm):
    labels = {"login": "Email address", "password": "Password", "remember": "Keep me signed in"}
    required = {"login": "Enter your email address.", "password": "Enter your password."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = format_html(
            '<a href="{}">Forgotten your password?</a>', reverse("account_reset_password")
        )


class SignupForm(SiteWordsMixin, account.SignupForm):
    labels = {"email": "Email address", **NEW_PASSWORD}
    help_texts = {
        "email": "We send a link to this address to check it is yours.",
        **NEW_PASSWORD_HELP,
    }
    required = {"email": "Enter your email address.", **NEW_PASSWORD_REQUIRED}


class AddEmailForm(SiteWordsMixin, account.AddEmailForm):
    labels = {"email": "Email address to add"}
    required = {"email": "Enter the email address you want to add."}


class ChangePasswordForm(SiteWordsMixin, account.ChangePasswordForm):
    labels = {
        "oldpassword": "Current password",
        "password1": "New password",
        "password2": "Type the new password again",
    }
    help_texts = NEW_PASSWORD_HELP
    required = {
        "oldpassword": "Enter your current password.",
        "password1": "Enter a new password.",
        "password2": "Type the new password again, to check it.",
    }


class SetPasswordForm(SiteWordsMixin, account.SetPasswordForm):
    labels = NEW_PASSWORD
    help_texts = NEW_PASSWORD_HELP
    required = NEW_PASSWORD_REQUIRED


class ResetPasswordForm(SiteWordsMixin, account.ResetPasswordForm):
    labels = {"email": "Email address"}
    help_texts = {"email": "The address you use to sign in."}
    required = {"email": "Enter the email address you use to sign in."}


class ResetPasswordKeyForm(SiteWordsMixin, account.ResetPasswordKeyForm):
    labels = {"password1": "New password", "password2": "Type the new password again"}
    help_texts = NEW_PASSWORD_HELP
    required = {
        "password1": "Enter a new password.",
        "password2": "Type the new password again, to check it.",
    }


class ReauthenticateForm(SiteWordsMixin, account.ReauthenticateForm):
    labels = {"password": "Password"}
    required = {"password": "Enter your password."}


class ConfirmLoginCodeForm(SiteWordsMixin, account.ConfirmLoginCodeForm):
    labels = {"code": "Sign-in code"}
    required = {"code": "Enter the sign-in code we emailed you."}


class MFAAuthenticateForm(SiteWordsMixin, mfa_base.AuthenticateForm):
    labels = {"code": "Code"}
    help_texts = {"code": f"{CODE_HELP} Or enter one of your recovery codes."}
    required = {"code": "Enter the code from your authenticator app, or a recovery code."}


class MFAReauthenticateForm(SiteWordsMixin, mfa_base.ReauthenticateForm):
    labels = MFAAuthenticateForm.labels
    help_texts = MFAAuthenticateForm.help_texts
    required = MFAAuthenticateForm.required


class ActivateTOTPForm(SiteWordsMixin, totp.ActivateTOTPForm):
    labels = {"code": "Code from your authenticator app"}
    help_texts = {"code": CODE_HELP}
    required = {"code": "Enter the 6-digit code from your authenticator app."}
