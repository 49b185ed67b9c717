from django.db import migrations

INTERESTS = [
    ("apprenticeships", "Apprenticeships and work placements",
     "Take on higher and degree apprentices; offer placements and internships."),
    ("curriculum", "Curriculum design and delivery",
     "Help design courses around real jobs, and teach parts of them."),
    ("sponsorship", "Research funding and sponsorship",
     "Sponsor equipment, projects, prizes or places."),
    ("cpd", "Professional development and CPD",
     "Upskill your staff; run workshops and CPD for industry and teaching staff."),
    ("guest-lectures", "Guest lectures", "Share your work with learners."),
    ("advisory-boards", "Industry advisory boards",
     "Advise an institute on the skills your sector will need."),
    ("mentoring", "Mentoring and STEM role models",
     "Mentor learners and show them where technical careers lead."),
]


def add_interests(apps, schema_editor):
    Interest = apps.get_model("partners", "Interest")
    for order, (slug, name, description) in enumerate(INTERESTS):
        Interest.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("partners", "0002_partnership")]

    operations = [migrations.RunPython(add_interests, migrations.RunPython.noop)]
