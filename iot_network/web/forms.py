"""Fields that public forms share, so names and addresses are asked for and cleaned one way."""

import copy

from django import forms


def name_field(label: str = "Full name") -> forms.CharField:
    noun = label[0].lower() + label[1:]
    return forms.CharField(
        label=label,
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={
            "required": f"Enter {noun if noun.startswith('your') else 'your ' + noun}."
        },
    )


def email_field(help_text: str) -> forms.EmailField:
    return forms.EmailField(
        label="Email address",
        max_length=254,
        help_text=help_text,
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address in the correct format, like name@example.com.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


class PersonFormMixin:
    """For forms with a ``name`` field: collapse the spaces people type by accident."""

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())


# Django's own wording, field by field, that says nothing about which field or how to fix it.
_DJANGO_DEFAULTS = {
    code: {
        message
        for klass in (
            forms.Field,
            forms.CharField,
            forms.EmailField,
            forms.URLField,
            forms.IntegerField,
            forms.DecimalField,
            forms.FloatField,
            forms.DateField,
            forms.DateTimeField,
            forms.TimeField,
            forms.ChoiceField,
            forms.MultipleChoiceField,
            forms.ModelChoiceField,
            forms.ModelMultipleChoiceField,
            forms.BooleanField,
            forms.NullBooleanField,
        )  # fmt: skip
        for c, message in klass.default_error_messages.items()
        if c == code
    }
    for code in (
        "required",
        "invalid",
        "invalid_choice",
        "invalid_list",
        "invalid_pk_value",
        "max_decimal_places",
        "max_digits",
        "max_whole_digits",
    )  # fmt: skip
}
_CHOICE_FIELDS = (forms.ChoiceField, forms.ModelChoiceField, forms.NullBooleanField)


def field_noun(label: str) -> str:
    """'Email address (optional)' -> 'email address'; acronyms (UKPRN) keep their capitals."""
    noun = str(label).split(" (", 1)[0].strip().rstrip(":?.")
    if len(noun) > 1 and noun[1].islower():
        noun = noun[0].lower() + noun[1:]
    return noun


def name_the_field(field: forms.Field, noun: str | None = None) -> None:
    """Replace Django's anonymous messages ("This field is required.") with ones that name the
    field and say how to put it right. Messages a form already wrote itself are left alone."""
    label = str(field.label or "")
    field.errors_named_for = (label, noun)  # see name_the_fields()
    question = label.rstrip().endswith("?")
    noun = noun or field_noun(label)
    # Quoting a question reads better than turning it into a noun: 'Answer "By when?"'.
    quoted = f"“{label.split(' (', 1)[0].strip()}”"
    choosing = isinstance(field, _CHOICE_FIELDS) and not isinstance(field, forms.BooleanField)
    if isinstance(field, forms.BooleanField):
        required = f"Tick the box to confirm: {label.rstrip('.')}."
    elif choosing:
        required = f"Choose an answer to {quoted}." if question else f"Choose {noun}."
    else:
        required = f"Answer {quoted}." if question else f"Enter {noun}."
    subject = quoted if question else noun[0].upper() + noun[1:] if noun else "This answer"
    what = f"for {quoted}" if question else noun
    safe = {"subject": subject.replace("%", "%%"), "what": what.replace("%", "%%")}
    if isinstance(field, forms.EmailField):
        invalid = "Enter an email address in the correct format, like name@example.com."
    elif isinstance(field, forms.URLField):
        invalid = f"{subject} must be a full website address, like https://www.example.com."
    elif isinstance(field, forms.DateField):
        invalid = f"{subject} must be a real date, like 27/03/2026."
    # DecimalField and FloatField are IntegerFields too: ask them first.
    elif isinstance(field, (forms.DecimalField, forms.FloatField)):
        invalid = f"{subject} must be a number, like 12.50."
    elif isinstance(field, forms.IntegerField):
        invalid = f"{subject} must be a whole number, like 12."
    else:
        invalid = f"Check {what}: it is not in a form we recognise."
    messages = {
        "required": required,
        "invalid": invalid,
        "invalid_choice": f"Choose {what} from the list.",
        "invalid_list": f"Choose {what} from the list.",
        "invalid_pk_value": f"Choose {what} from the list.",
        "max_decimal_places": f"{safe['subject']} can have up to %(max)s decimal places.",
        "max_digits": f"{safe['subject']} can have up to %(max)s digits.",
        "max_whole_digits": f"{safe['subject']} can have up to %(max)s digits before the point.",
    }
    for code, message in messages.items():
        current = field.error_messages.get(code)
        if current in _DJANGO_DEFAULTS.get(code, ()):
            field.error_messages[code] = message
    # Validators' codes: Field.run_validators swaps their messages for these.
    limits = {
        "max_length": "%(subject)s must be %%(limit_value)d characters or fewer.",
        "min_length": "%(subject)s must be at least %%(limit_value)d characters.",
        "max_value": "%(subject)s must be %%(limit_value)s or less.",
        "min_value": "%(subject)s must be %%(limit_value)s or more.",
    }
    for code, template in limits.items():
        field.error_messages.setdefault(code, template % safe)


def name_the_fields(fields: dict[str, forms.Field], nouns: dict[str, str]) -> None:
    """name_the_field() for each of ``fields`` not yet named for its label as it is now: the
    messages depend only on the label, the noun and the kind of field, so a field copied from
    one already named (a form's copy of its class's fields) keeps its messages."""
    for name, field in fields.items():
        noun = nouns.get(name)
        if getattr(field, "errors_named_for", None) != (str(field.label or ""), noun):
            name_the_field(field, noun)


class _FieldsSharingChoices(dict):
    """A form class's ``base_fields``, whose copy for each form shares the lists of choices."""

    def __deepcopy__(self, memo):
        return {name: _copy_field(field, memo) for name, field in self.items()}


def _copy_field(field: forms.Field, memo: dict) -> forms.Field:
    if type(field).__deepcopy__ is forms.ChoiceField.__deepcopy__:
        # ChoiceField.__deepcopy__ without its deep copy of the choices.
        return forms.Field.__deepcopy__(field, memo)
    return copy.deepcopy(field, memo)


def share_choices(form_class: type[forms.BaseForm]) -> None:
    """Let each form of ``form_class`` share its fields' lists of choices instead of deep-copying
    them, as Django does for every form (35 lazily translated options on the equality questions,
    over 200 on the course search). Nothing changes a list of choices in place: a form that
    needs other choices sets new ones, which replaces the list on its own copy of the field. A
    field is otherwise copied as Django copies it (its widget, messages and validators), and a
    model choice field wholly, so each form reads its queryset afresh."""
    if not isinstance(form_class.__dict__.get("base_fields"), _FieldsSharingChoices):
        form_class.base_fields = _FieldsSharingChoices(form_class.base_fields)


class NamedErrorsMixin:
    """Every error in the summary names its field and says how to fix it.

    ``error_nouns`` names a field where its label does not read well after "Enter"."""

    error_nouns: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        share_choices(type(self))
        super().__init__(*args, **kwargs)

    def full_clean(self):
        # Here rather than in __init__, so labels and messages the form's own __init__ sets
        # after ours are the ones the messages are built from and kept.
        name_the_fields(self.fields, self.error_nouns)
        super().full_clean()


class NamedErrorsForm(NamedErrorsMixin, forms.Form):
    """For django-filter's FilterSets (``Meta.form``): their errors name their fields too."""


def check_date_order(form: forms.Form, earliest: str, latest: str) -> None:
    """A search's start-date window must not be back to front: reversed dates match nothing,
    and "0 results" alone would not say why. The error goes beside ``latest``."""
    start, end = form.cleaned_data.get(earliest), form.cleaned_data.get(latest)
    if start and end and end < start:
        form.add_error(latest, "The latest start date must be on or after the earliest.")
