"""Lead images: checked by what the file is, not its name; limited in size; stored without the
camera's metadata; never without a description."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from PIL import Image

from stories import images, services
from stories.models import Story
from tests.factories import InstituteFactory, staff_user

from .factories import StoryFactory, gps_exif, picture

pytestmark = pytest.mark.django_db


def test_a_file_named_like_a_photo_that_is_not_one_is_refused():
    spoofed = SimpleUploadedFile(
        "holiday.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg"
    )
    with pytest.raises(ValidationError) as error:
        images.open_image(spoofed)
    assert error.value.code == "not_an_image"


def test_a_real_picture_of_a_type_we_do_not_take_is_refused_whatever_its_name():
    gif = picture(fmt="GIF", name="photo.jpg")
    with pytest.raises(ValidationError) as error:
        images.open_image(gif)
    assert error.value.code == "wrong_type"


def test_a_png_named_jpg_is_taken_as_the_png_it_is():
    assert images.open_image(picture(fmt="PNG", name="photo.jpg")).format == "PNG"


def test_an_image_over_the_size_limit_is_refused(settings):
    settings.STORY_IMAGE_MAX_BYTES = 10_000
    noisy = Image.effect_noise((1200, 800), 80).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, "JPEG", quality=95)
    upload = SimpleUploadedFile("big.jpg", buffer.getvalue(), content_type="image/jpeg")
    assert upload.size > 10_000
    with pytest.raises(ValidationError) as error:
        images.open_image(upload)
    assert error.value.code == "too_large"


def test_images_too_small_or_with_too_many_pixels_are_refused():
    with pytest.raises(ValidationError) as small:
        images.open_image(picture(width=200, height=150))
    assert small.value.code == "too_small"
    with pytest.raises(ValidationError) as huge:
        images.open_image(picture(width=9000, height=100))
    assert huge.value.code == "too_many_pixels"


def test_gps_position_and_camera_details_are_gone_from_every_stored_width(media):
    upload = picture(width=2000, height=1000, exif=gps_exif())
    with Image.open(io.BytesIO(upload.read())) as original:
        assert original.getexif().get_ifd(0x8825)  # the upload does carry a position
    stored = images.store(images.open_image(upload))
    assert stored.widths == [480, 960, 1600]
    for width in stored.widths:
        data = (media / f"{stored.path}{width}.jpg").read_bytes()
        assert b"Exif" not in data
        with Image.open(io.BytesIO(data)) as rendition:
            assert rendition.width == width
            assert not rendition.getexif()
            assert not rendition.getexif().get_ifd(0x8825)


def test_a_narrow_image_is_never_enlarged():
    stored = images.store(images.open_image(picture(width=700, height=500)))
    assert stored.widths == [480, 700]
    assert (stored.width, stored.height) == (700, 500)


def test_a_story_cannot_have_an_image_without_alt_text():
    staff = staff_user("iot-staff", [InstituteFactory()])
    story = StoryFactory.build(image_alt="")
    with pytest.raises(services.StoryError, match="alt text"):
        services.save_story(story=story, image=images.open_image(picture()), acting_user=staff)
    assert not Story.objects.exists()


def test_the_database_refuses_an_image_without_alt_text_too():
    story = StoryFactory()
    with pytest.raises(IntegrityError):
        Story.objects.filter(pk=story.pk).update(image_path="stories/x/", image_alt="")
