from django.conf import settings
from django.utils.html import strip_tags

from .models import Event

STATUS = {
    Event.Status.PUBLISHED: "https://schema.org/EventScheduled",
    Event.Status.CANCELLED: "https://schema.org/EventCancelled",
}


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
            "availability": "https://schema.org/SoldOut"
            if places_left == 0
            else "https://schema.org/InStock",
        },
    }
    if event.is_online:
        data["location"] = {"@type": "VirtualLocation", "url": url}
    else:
        data["location"] = {
            "@type": "Place",
            "name": event.venue_name,
            "address": {
                "@type": "PostalAddress",
                "streetAddress": strip_tags(", ".join(event.venue_address.splitlines())),
                "postalCode": event.venue_postcode,
                "addressCountry": "GB",
            },
        }
    if event.capacity is not None:
        data["maximumAttendeeCapacity"] = event.capacity
    return data
