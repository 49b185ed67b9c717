from django.db import models

from .choices import ETHNIC_GROUP_CHOICES, AgeBand, Disability, Sex


class EqualityAnswers(models.Model):
    """One person's answers, in a table of their own: a concrete subclass adds the one-to-one
    link to the registration or enquiry (``on_delete=CASCADE``). A blank field was not answered.
    No admin, export, mail or API reads these rows; only ``reporting`` counts them."""

    sex = models.CharField(max_length=16, choices=Sex.choices, blank=True)
    ethnic_group = models.CharField(max_length=32, choices=ETHNIC_GROUP_CHOICES, blank=True)
    disability = models.CharField(max_length=16, choices=Disability.choices, blank=True)
    age_band = models.CharField(max_length=16, choices=AgeBand.choices, blank=True)
    answered_at = models.DateTimeField(auto_now_add=True, db_index=True)

    QUESTIONS = ("sex", "ethnic_group", "disability", "age_band")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        # Never the answers: this string can reach logs and the audit trail.
        return f"Equality monitoring answers #{self.pk}"
