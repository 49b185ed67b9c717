import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from stories.models import Story


class StoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Story
        skip_postgeneration_save = True

    kind = Story.Kind.NEWS
    title = factory.Sequence(lambda n: f"Apprentices build a wind turbine {n}")
    slug = factory.Sequence(lambda n: f"apprentices-build-a-wind-turbine-{n}")
    standfirst = "Level 4 learners designed, built and tested a small turbine with a partner."
    body = "It took a term.\n\nThey learned a lot."
    status = Story.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def institutes(self, create, extracted, **kwargs):
        if create and extracted:
            self.institutes.set(extracted)

    @factory.post_generation
    def organisations(self, create, extracted, **kwargs):
        if create and extracted:
            self.organisations.set(extracted)

    @factory.post_generation
    def routes(self, create, extracted, **kwargs):
        if create and extracted:
            self.routes.set(extracted)

    @factory.post_generation
    def events(self, create, extracted, **kwargs):
        if create and extracted:
            self.events.set(extracted)


def picture(
    *, width=1200, height=800, fmt="JPEG", name="photo.jpg", exif=None, colour="teal"
) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    image = Image.new("RGB", (width, height), colour)
    extra = {"exif": exif} if exif is not None else {}
    image.save(buffer, fmt, **extra)
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif"}.get(fmt, "")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type or "image/jpeg")


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (51.0, 30.0, 12.0)
    gps[3] = "W"
    gps[4] = (0.0, 7.0, 40.0)
    return exif
