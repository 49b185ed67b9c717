"""The questions, as fields a public form mixes in. All optional; answers are kept only with the
person's explicit consent (special category data: UK GDPR article 9(2)(a))."""

from __future__ import annotations

from django import forms
from django.conf import settings

from .choices import ETHNIC_GROUP_CHOICES, AgeBand, Disability, Sex


def consent_statement() -> str:
    days = settings.EQUALITY_RETENTION_DAYS
    kept = f"{days // 365} years" if days % 365 == 0 and days >= 730 else f"{days} days"
    return (
        "These questions are optional and your answers do not affect your place at an event "
        "or the reply to a question you ask us. We ask them to see whether Institutes of "
        "Technology reach people of every sex, ethnic group, age and disability, as the network "
        "aims to widen who enters science, "
        "technology, engineering and maths. Your answers are kept apart from your name and "
        "contact details, are never shown to organisers or staff beside your name, and are only "
        "ever reported as counts in which groups smaller than 5 are hidden. We delete them after "
        f"{kept}, or sooner if you ask."
    )


EQUALITY_FIELDS = ("equality_consent", "sex", "ethnic_group", "disability", "age_band")
QUESTION_FIELDS = EQUALITY_FIELDS[1:]


class EqualityQuestionsMixin(forms.Form):
    """Adds the equality monitoring questions to a public form. Templates render
    ``form.main_fields`` and then ``form.equality_fields`` in their own fieldset."""

    equality_consent = forms.BooleanField(
        label="I agree that my answers to the questions below may be used for equality "
        "monitoring, as described above",
        required=False,
    )
    sex = forms.ChoiceField(
        label="What is your sex? (optional)",
        choices=Sex.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    ethnic_group = forms.ChoiceField(
        label="What is your ethnic group? (optional)",
        choices=[("", "Not answered"), *ETHNIC_GROUP_CHOICES],
        required=False,
        help_text="The groups used in the 2021 Census for England and Wales.",
    )
    disability = forms.ChoiceField(
        label="Do you consider yourself to have a disability or long-term health condition? "
        "(optional)",
        choices=Disability.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    age_band = forms.ChoiceField(
        label="What is your age? (optional)",
        choices=AgeBand.choices,
        required=False,
        widget=forms.RadioSelect,
    )

    @property
    def main_fields(self):
        return [field for field in self if field.name not in EQUALITY_FIELDS]

    @property
    def equality_fields(self):
        return [field for field in self if field.name in EQUALITY_FIELDS]

    @property
    def equality_statement(self) -> str:
        return consent_statement()

    @property
    def asks_equality_questions(self) -> bool:
        return "equality_consent" in self.fields

    def clean(self):
        cleaned = super().clean()
        if not self.asks_equality_questions:
            return cleaned
        answered = any(cleaned.get(name) for name in QUESTION_FIELDS)
        if answered and not cleaned.get("equality_consent"):
            self.add_error(
                "equality_consent",
                "Tick the box to agree to how we use your equality monitoring answers, or leave "
                "those questions unanswered.",
            )
        return cleaned

    def equality_answers(self) -> dict[str, str] | None:
        """The answers to keep, or None: nothing answered, or no consent given."""
        if not self.asks_equality_questions:
            return None
        data = self.cleaned_data
        answers = {name: data.get(name) or "" for name in QUESTION_FIELDS}
        if not data.get("equality_consent") or not any(answers.values()):
            return None
        return answers

    def drop_equality_questions(self) -> None:
        for name in EQUALITY_FIELDS:
            self.fields.pop(name, None)
