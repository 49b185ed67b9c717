import secrets
from pathlib import Path

from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from iot_network.portal.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the real institutes and routes plus fictional demo courses, events, partners and "
        "users. Safe to run more than once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help="Password for the demo accounts. By default one is generated on the first run "
            "and kept in var/demo-password.",
        )
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Load demo accounts even though DEBUG is off (never on a public site).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_without_debug"]:
            raise CommandError(
                "Refusing to create demo accounts with DEBUG off. Use load_reference_data for "
                "production, or pass --allow-without-debug on a private demonstration server."
            )
        password = options["password"] or self._stored_password()
        totp_secret = stored_totp_secret()
        summary = load_demo(password=password, totp_secret=totp_secret)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: 21 institutes, 15 routes, {summary.courses} courses with "
                f"{summary.runs} start dates, "
                f"{summary.events} events, {summary.partners} partners, "
                f"{summary.stories} stories."
            )
        )
        self.stdout.write("Demo logins (all share one password):")
        for role, email in summary.logins:
            self.stdout.write(f"  {email:<44} {role}")
        self.stdout.write(f"  Password: {password}")
        self.stdout.write(
            "Staff accounts also ask for a code from an authenticator app. Add this key to your "
            f"app: {totp_secret} (or run `make demo-code` for the current code)."
        )

    def _stored_password(self) -> str:
        return stored_secret("demo-password", lambda: secrets.token_urlsafe(12))


def stored_totp_secret() -> str:
    return stored_secret("demo-totp-secret", generate_totp_secret)


def stored_secret(name: str, make) -> str:
    """A demo secret generated on the first run and kept in var/ (never in the repository)."""
    path = Path(settings.VAR_DIR) / name
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(exist_ok=True)
    value = make()
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value
