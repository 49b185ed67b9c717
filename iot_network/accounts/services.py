"""Staff writes to people's accounts, each in the audit log."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import QuerySet

from iot_network.staff import audit


@transaction.atomic
def verify_email_addresses(*, addresses: QuerySet[EmailAddress], acting_user) -> int:
    """Mark addresses verified by hand (someone proved it another way); an address another
    account has already verified stays unverified. Returns how many were verified."""
    verified = [
        address
        for address in EmailAddress.objects.select_for_update()
        .select_related("user")
        .filter(pk__in=addresses.values("pk"), verified=False)
        if address.set_verified()
    ]
    audit.record_many(actor=acting_user, action="verified email address", targets=verified)
    return len(verified)
