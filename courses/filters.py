import django_filters

from institutes.models import Institute, Region, Route

from .models import Course, Level, QualificationType


class CourseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Keywords",
        method="filter_keywords",
        max_length=100,
        help_text="For example, robotics",
    )
    route = django_filters.ModelChoiceFilter(
        queryset=Route.objects.all(),
        to_field_name="slug",
        empty_label="All subjects",
        label="Subject area",
    )
    level = django_filters.ChoiceFilter(choices=Level.choices, empty_label="All levels")
    qualification_type = django_filters.ChoiceFilter(
        choices=QualificationType.choices, empty_label="All qualifications", label="Qualification"
    )
    region = django_filters.ChoiceFilter(
        field_name="institute__region",
        choices=Region.choices,
        empty_label="All regions",
        label="Region",
    )
    institute = django_filters.ModelChoiceFilter(
        queryset=Institute.objects.all(), to_field_name="slug", empty_label="All institutes"
    )

    class Meta:
        model = Course
        fields = ["q", "route", "level", "qualification_type", "region", "institute"]

    def filter_keywords(self, queryset, name, value):
        for word in value.split()[:8]:
            queryset = queryset.filter(title__icontains=word) | queryset.filter(
                summary__icontains=word
            )
        return queryset
