from django.db import migrations

from partners.reference import load_interests


def add_interests(apps, schema_editor):
    load_interests(apps.get_model("partners", "Interest"))


class Migration(migrations.Migration):
    dependencies = [("partners", "0002_partnership")]

    operations = [migrations.RunPython(add_interests, migrations.RunPython.noop)]
