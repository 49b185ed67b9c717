from django.conf import settings
from django.utils.html import strip_tags

from .models import Event, RegistrationState

STATUS = {
    Event.Status.PUBLISHED: "https://schema.org/EventScheduled",
    Event.Status.CANCELLED: "https://schema.org/EventCancelled",
}


def availability(event: Event, places_left: int | None) -> str:
    """The offer's schema.org ItemAvailability: whether a place can be booked now."""
    state = event.registration_state()
    if event.is_cancelled:
        name = "Discontinued"
    elif state == RegistrationState.NOT_YET:
        name = "PreOrder"
    elif state != RegistrationState.OPEN:
        name = "OutOfStock"
    elif places_left == 0:
        name = "SoldOut"
    else:
        name = "InStock"
    return f"https://schema.org/{name}"


def event_json_ld(event: Event, places_left: int | None) -> dict:
    url = settings.SITE_URL + event.get_absolute_url()
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "@id": url,
        "url": url,
        "name": event.title,
        "description": event.summary,
        "startDate": event.starts_at.isoformat(),
        "endDate": event.ends_at.isoformat(),
        "eventStatus": STATUS.get(event.status, STATUS[Event.Status.PUBLISHED]),
        "eventAttendanceMode": "https://schema.org/OnlineEventAttendanceMode"
        if event.is_online
        else "https://schema.org/OfflineEventAttendanceMode",
        "organizer": {"@type": "Organization", "name": event.organiser_name},
        "offers": {
            "@type": "Offer",
            "price": "0",
            "priceCurrency": "GBP",
            "url": url,
            "availability": availability(event, places_left),
        },
    }
    if event.is_online:
        data["location"] = {"@type": "VirtualLocation", "url": url}
    else:
        address = {
            "@type": "PostalAddress",
            "streetAddress": strip_tags(
                ", ".join(line.strip() for line in event.venue_address.splitlines() if line.strip())
            ),
            "postalCode": event.venue_postcode.strip(),
            "addressCountry": "GB",
        }
        data["location"] = {
            "@type": "Place",
            "name": event.venue_name,
            # An empty property tells search engines the value is "", not that it is unknown.
            "address": {key: value for key, value in address.items() if value},
        }
    if event.capacity is not None:
        data["maximumAttendeeCapacity"] = event.capacity
    return data
