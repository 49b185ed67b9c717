"""The questions' answers. Ethnic group follows the ONS Census 2021 classification for England
(19 groups under five headings); figures are published by heading, so that fewer cells are small."""

from django.db import models

PREFER_NOT_TO_SAY = "prefer-not"
PREFER_NOT_TO_SAY_LABEL = "Prefer not to say"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    PREFER_NOT = PREFER_NOT_TO_SAY, PREFER_NOT_TO_SAY_LABEL


class Disability(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    PREFER_NOT = PREFER_NOT_TO_SAY, PREFER_NOT_TO_SAY_LABEL


class AgeBand(models.TextChoices):
    UNDER_16 = "under-16", "Under 16"
    FROM_16 = "16-18", "16 to 18"
    FROM_19 = "19-24", "19 to 24"
    FROM_25 = "25-34", "25 to 34"
    FROM_35 = "35-49", "35 to 49"
    FROM_50 = "50-64", "50 to 64"
    FROM_65 = "65-plus", "65 or over"
    PREFER_NOT = PREFER_NOT_TO_SAY, PREFER_NOT_TO_SAY_LABEL


# (heading slug, heading, [(value, label), ...]) in the census's order.
ETHNIC_GROUPS = [
    (
        "asian",
        "Asian, Asian British or Asian Welsh",
        [
            ("bangladeshi", "Bangladeshi"),
            ("chinese", "Chinese"),
            ("indian", "Indian"),
            ("pakistani", "Pakistani"),
            ("other-asian", "Any other Asian background"),
        ],
    ),
    (
        "black",
        "Black, Black British, Black Welsh, Caribbean or African",
        [
            ("african", "African"),
            ("caribbean", "Caribbean"),
            ("other-black", "Any other Black, Black British or Caribbean background"),
        ],
    ),
    (
        "mixed",
        "Mixed or Multiple ethnic groups",
        [
            ("white-asian", "White and Asian"),
            ("white-black-african", "White and Black African"),
            ("white-black-caribbean", "White and Black Caribbean"),
            ("other-mixed", "Any other Mixed or Multiple ethnic background"),
        ],
    ),
    (
        "white",
        "White",
        [
            ("white-british", "English, Welsh, Scottish, Northern Irish or British"),
            ("irish", "Irish"),
            ("gypsy-irish-traveller", "Gypsy or Irish Traveller"),
            ("roma", "Roma"),
            ("other-white", "Any other White background"),
        ],
    ),
    (
        "other",
        "Other ethnic group",
        [("arab", "Arab"), ("other-ethnic", "Any other ethnic group")],
    ),
]

ETHNIC_GROUP_CHOICES = [
    *((heading, options) for _, heading, options in ETHNIC_GROUPS),
    (PREFER_NOT_TO_SAY, PREFER_NOT_TO_SAY_LABEL),
]
ETHNIC_HEADING_OF = {value: slug for slug, _, options in ETHNIC_GROUPS for value, _ in options}
ETHNIC_HEADINGS = [(slug, heading) for slug, heading, _ in ETHNIC_GROUPS]

NOT_ANSWERED = "not-answered"
NOT_ANSWERED_LABEL = "Not answered"
