"""Story writes: saving with a lead image, publishing (now or on schedule), and the review of
case studies partners propose. Each is atomic, audited, and queues its mail on commit."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image

from institutes.models import Institute
from iot_network.staff import audit
from partners import notices
from partners.models import Organisation

from . import images
from .models import Story


class StoryError(Exception):
    """A rule stopped the change; the message is fit to show the person."""


def unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:160] or "story"
    slug, n = base, 2
    while Story.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _replace_image(story: Story, image: Image.Image) -> list[tuple[str, list[int]]]:
    """Store the new renditions on ``story``; returns the old ones, to delete after commit."""
    old = [(story.image_path, list(story.image_widths))] if story.image_path else []
    stored = images.store(image)
    story.image_path = stored.path
    story.image_widths = stored.widths
    story.image_width, story.image_height = stored.width, stored.height
    return old


def _delete_after_commit(old: list[tuple[str, list[int]]]) -> None:
    for path, widths in old:
        transaction.on_commit(lambda p=path, w=widths: images.delete(p, w))


@transaction.atomic
def save_story(*, story: Story, image: Image.Image | None = None, acting_user) -> Story:
    """Save what staff wrote (the admin's form has checked it). A new lead image is stored in its
    widths, without metadata; the old one is deleted once the change commits.

    The admin's own log records the change; the publishing steps audit themselves."""
    if not story.slug:
        story.slug = unique_slug(story.title, exclude_pk=story.pk)
    if story.created_by_id is None and getattr(acting_user, "is_authenticated", False):
        story.created_by = acting_user
    old = _replace_image(story, image) if image is not None else []
    if story.image_path and not story.image_alt.strip():
        raise StoryError("Describe the image (alt text) for people who cannot see it.")
    if story.status == Story.Status.PUBLISHED and story.published_at is None:
        story.published_at = timezone.now()
    if story.status != Story.Status.PUBLISHED:
        story.published_at = None
    story.save()
    _delete_after_commit(old)
    return story


@transaction.atomic
def publish_now(*, story: Story, acting_user) -> Story:
    story = Story.objects.select_for_update().get(pk=story.pk)
    if story.status == Story.Status.PUBLISHED:
        return story
    story.status = Story.Status.PUBLISHED
    story.published_at = timezone.now()
    story.publish_at = None
    story.save(update_fields=["status", "published_at", "publish_at", "updated_at"])
    audit.record(actor=acting_user, action="published story", target=story)
    return story


@transaction.atomic
def schedule(*, story: Story, publish_at, acting_user) -> Story:
    if publish_at <= timezone.now():
        raise StoryError("Choose a time in the future, or publish it now.")
    story = Story.objects.select_for_update().get(pk=story.pk)
    story.status = Story.Status.SCHEDULED
    story.publish_at = publish_at
    story.published_at = None
    story.save(update_fields=["status", "publish_at", "published_at", "updated_at"])
    audit.record(
        actor=acting_user,
        action="scheduled story",
        target=story,
        detail=f"to be published at {publish_at.isoformat()}",
    )
    return story


@transaction.atomic
def unpublish(*, story: Story, acting_user) -> Story:
    story = Story.objects.select_for_update().get(pk=story.pk)
    story.status = Story.Status.DRAFT
    story.published_at = None
    story.publish_at = None
    story.save(update_fields=["status", "published_at", "publish_at", "updated_at"])
    audit.record(actor=acting_user, action="unpublished story", target=story)
    return story


def publish_due(*, now=None) -> int:
    """Publish every scheduled story whose time has come (beat, every minute). Each story is its
    own transaction, and one that was changed meanwhile is left to the next run."""
    now = now or timezone.now()
    published = 0
    for pk in Story.objects.due(now).values_list("pk", flat=True):
        with transaction.atomic():
            story = Story.objects.select_for_update(skip_locked=True).due(now).filter(pk=pk).first()
            if story is None:
                continue
            story.status = Story.Status.PUBLISHED
            # Dated when it was meant to appear, so a late run does not reorder the listing.
            story.published_at = story.publish_at
            story.save(update_fields=["status", "published_at", "updated_at"])
            audit.record(actor=None, action="published scheduled story", target=story)
            published += 1
    return published


# Case studies partners propose ---------------------------------------------------------------


def _to_staff(story: Story, *, key: str, resubmitted: bool) -> None:
    notices.send(
        notices.to_staff(
            story.institutes.all(),
            kind="case-study-to-review",
            key=key,
            about=story,
            context={
                "organisation": story.proposed_by.name if story.proposed_by else "",
                "title": story.title,
                "resubmitted": resubmitted,
                "action_url": notices.admin_url(story),
            },
        )
    )


@transaction.atomic
def propose_case_study(
    *,
    organisation: Organisation,
    story: Story,
    institute: Institute,
    image: Image.Image | None,
    proposed_by,
) -> Story:
    """A partner's case study, in (or back in) the IoT's review queue."""
    if not organisation.is_approved:
        raise StoryError("You can propose case studies once your partnership is approved.")
    if not organisation.institutes.filter(pk=institute.pk).exists():
        raise StoryError("Choose one of the institutes you partner with.")
    if story.pk and story.status not in (Story.Status.PENDING, Story.Status.RETURNED):
        raise StoryError("This case study has been published; ask the institute to change it.")
    resubmitted = story.pk is not None
    story.kind = Story.Kind.CASE_STUDY
    story.status = Story.Status.PENDING
    story.proposed_by = organisation
    story.publish_at = story.published_at = None
    story = save_story(story=story, image=image, acting_user=proposed_by)
    story.institutes.set([institute])
    story.organisations.add(organisation)
    stamp = timezone.now().isoformat()
    _to_staff(story, key=f"case-study:{story.pk}:proposed:{stamp}", resubmitted=resubmitted)
    return story


@transaction.atomic
def decide_case_study(*, story: Story, approve: bool, note: str = "", decided_by) -> Story:
    """Approve (it is published) or send back with a note; the partner is told by email."""
    story = Story.objects.select_for_update().get(pk=story.pk)
    if story.status != Story.Status.PENDING:
        raise StoryError(f"'{story}' is not waiting for review.")
    if not approve and not note.strip():
        raise StoryError("Say what to change when you send a case study back.")
    now = timezone.now()
    story.status = Story.Status.PUBLISHED if approve else Story.Status.RETURNED
    story.published_at = now if approve else None
    story.review_note = note.strip()
    story.decided_at, story.decided_by = now, decided_by
    story.save()
    organisation = story.proposed_by
    if organisation is not None:
        shown_at = (
            story.get_absolute_url()
            if approve
            else reverse("stories:case-study", kwargs={"slug": organisation.slug, "pk": story.pk})
        )
        notices.send(
            notices.to_members(
                organisation,
                kind="case-study-approved" if approve else "case-study-returned",
                key=f"case-study:{story.pk}:decision:{now.isoformat()}",
                about=story,
                context={
                    "title": story.title,
                    "note": story.review_note,
                    "action_url": notices.absolute(shown_at),
                },
            )
        )
    audit.record(
        actor=decided_by,
        action="approve case study" if approve else "send back case study",
        target=story,
        detail=story.review_note,
    )
    return story


def publish_many(*, stories: Iterable[Story], acting_user) -> int:
    count = 0
    for story in stories:
        if story.status != Story.Status.PUBLISHED:
            publish_now(story=story, acting_user=acting_user)
            count += 1
    return count
