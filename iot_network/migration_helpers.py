"""Helpers for migrations that only PostgreSQL needs (the SQLite quick start skips them)."""

from django.db import migrations


def postgresql_sql(forward: str, backward: str) -> migrations.RunPython:
    def run_forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(forward)

    def run_backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(backward)

    return migrations.RunPython(run_forward, run_backward)
