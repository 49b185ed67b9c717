"""The ways of working with an IoT that partners choose from (reference data)."""

INTERESTS = [
    (
        "apprenticeships",
        "Apprenticeships and work placements",
        "Take on higher and degree apprentices; offer placements and internships.",
    ),
    (
        "curriculum",
        "Curriculum design and delivery",
        "Help design courses around real jobs, and teach parts of them.",
    ),
    (
        "sponsorship",
        "Research funding and sponsorship",
        "Sponsor equipment, projects, prizes or places.",
    ),
    (
        "cpd",
        "Professional development and CPD",
        "Upskill your staff; run workshops and CPD for industry and teaching staff.",
    ),
    ("guest-lectures", "Guest lectures", "Share your work with learners."),
    (
        "advisory-boards",
        "Industry advisory boards",
        "Advise an institute on the skills your sector will need.",
    ),
    (
        "mentoring",
        "Mentoring and STEM role models",
        "Mentor learners and show them where technical careers lead.",
    ),
]


def load_interests(model=None) -> None:
    """Create or update the interests; safe to run again (tests that empty the database do)."""
    if model is None:
        # Imported here because data migrations call this with their historical model and must
        # not import today's models.
        from .models import Interest as model
    for order, (slug, name, description) in enumerate(INTERESTS):
        model.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "order": order}
        )
