from django import forms
from django.conf import settings
from django.utils import timezone

from iot_network.web.forms import NamedErrorsMixin

from . import images
from .models import Story


class LeadImageMixin:
    """An optional lead image, checked by its content (images.open_image), with alt text
    required whenever the story has a picture."""

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if not upload:
            return None
        return images.open_image(upload)

    def clean(self):
        cleaned = super().clean()
        has_image = bool(cleaned.get("image")) or bool(self.instance.image_path)
        if has_image and not (cleaned.get("image_alt") or "").strip():
            self.add_error(
                "image_alt", "Describe the image for people who cannot see it (alt text)."
            )
        return cleaned


ACCEPT = "image/jpeg,image/png,image/webp"
IMAGE_HELP = "A JPEG, PNG or WebP photo at least {min} pixels wide, up to {mb} MB."


def image_field() -> forms.FileField:
    return forms.FileField(
        label="Lead image",
        required=False,
        help_text=IMAGE_HELP.format(
            min=images.MIN_WIDTH, mb=settings.STORY_IMAGE_MAX_BYTES // (1024 * 1024)
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )


class StoryAdminForm(LeadImageMixin, forms.ModelForm):
    image = image_field()

    class Meta:
        model = Story
        fields = [
            "kind", "title", "slug", "standfirst", "body", "image", "image_alt", "institutes",
            "organisations", "routes", "events", "status", "publish_at", "demo",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:  # not on the read-only page viewers see
            self.fields["slug"].required = False
            self.fields["slug"].help_text = "Leave empty to make one from the title."
        if "status" in self.fields:
            # Proposed and returned case studies change state through the review, not here.
            allowed = [Story.Status.DRAFT, Story.Status.SCHEDULED, Story.Status.PUBLISHED]
            if self.instance.status not in allowed:
                allowed.insert(0, Story.Status(self.instance.status))
            self.fields["status"].choices = [(s.value, s.label) for s in allowed]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == Story.Status.SCHEDULED:
            publish_at = cleaned.get("publish_at")
            if publish_at is None:
                self.add_error("publish_at", "Say when the story is to be published.")
            elif publish_at <= timezone.now() and self.instance.status != Story.Status.SCHEDULED:
                self.add_error("publish_at", "Choose a time in the future, or publish it now.")
        return cleaned


class CaseStudyForm(NamedErrorsMixin, LeadImageMixin, forms.ModelForm):
    """What a partner writes: the text and a picture; the IoT's staff review it."""

    image = image_field()
    institute = forms.ModelChoiceField(
        queryset=None,
        label="Institute of Technology",
        help_text="The institute whose staff review it, and whose page shows it.",
        empty_label="Choose an institute",
    )

    class Meta:
        model = Story
        fields = ["title", "standfirst", "body", "institute", "image", "image_alt"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institute"].queryset = organisation.institutes.order_by("name")
        self.fields["image"].widget = forms.FileInput(attrs={"accept": ACCEPT})
        if self.instance.pk:
            self.fields["institute"].initial = self.instance.institutes.first()
