import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from .load_demo import stored_totp_secret


class Command(BaseCommand):
    help = "Print the current two-factor code for the demo staff accounts (DEBUG only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo codes are only for the local demonstration (DEBUG on).")
        counter = int(time.time()) // 30
        code = format_hotp_value(hotp_value(stored_totp_secret(), counter))
        left = 30 - int(time.time()) % 30
        self.stdout.write(f"{code}  (valid for about {left} more seconds)")
