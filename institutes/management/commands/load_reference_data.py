from django.core.management.base import BaseCommand

from institutes.services import load_reference_data


class Command(BaseCommand):
    help = "Load or refresh the 21 Institutes of Technology and the 15 occupational routes."

    def handle(self, *args, **options):
        result = load_reference_data()
        self.stdout.write(
            self.style.SUCCESS(
                f"Institutes: {result.institutes_created} created, "
                f"{result.institutes_updated} updated. "
                f"Routes: {result.routes_created} created, {result.routes_updated} updated."
            )
        )
