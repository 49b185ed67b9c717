"""Helpers for migrations: SQL only PostgreSQL needs (the SQLite quick start skips it), and
data copies more than one app makes."""

from django.db import migrations


def postgresql_sql(forward: str, backward: str) -> migrations.RunPython:
    def run_forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(forward)

    def run_backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(backward)

    return migrations.RunPython(run_forward, run_backward)


def institute_to_institutes(app_label: str, model_name: str) -> migrations.RunPython:
    """Copy a row's one ``institute`` into its new ``institutes`` many-to-many (a row now
    belongs to every IoT its subject does); backwards, keep the lowest-id one."""

    def forward(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        through = model.institutes.through
        row_field = f"{model._meta.model_name}_id"
        rows = model.objects.exclude(institute=None).values_list("pk", "institute_id")
        batch = []
        for row_id, institute_id in rows.iterator(chunk_size=5000):
            batch.append(through(**{row_field: row_id, "institute_id": institute_id}))
            if len(batch) >= 5000:
                through.objects.bulk_create(batch)
                batch = []
        through.objects.bulk_create(batch)

    def backward(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        for row in model.objects.prefetch_related("institutes").iterator(chunk_size=2000):
            first = min((i.pk for i in row.institutes.all()), default=None)
            if first is not None:
                model.objects.filter(pk=row.pk).update(institute_id=first)

    return migrations.RunPython(forward, backward, elidable=True)
