import django_filters
from django.db.models import Q

from sscb.filters import ModelChoiceFilter
from sscb.models import SubGroup

from .models import Audit


class AuditFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    kind = django_filters.ChoiceFilter(choices=Audit.Kind.choices)
    stage = django_filters.ChoiceFilter(choices=Audit.Stage.choices)
    lead_subgroup = ModelChoiceFilter(queryset=SubGroup.objects.all(), label="Lead sub-group")

    class Meta:
        model = Audit
        fields = ["q", "kind", "stage", "lead_subgroup"]

    def filter_queryset(self, queryset):
        # A choice not offered is said beside its field and lists nothing: dropped, it would
        # list every audit (as reviews.filters.ListFilterSet, which this app does not import).
        if self.form.errors:
            return queryset.none()
        return super().filter_queryset(queryset)

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value) | Q(reference__icontains=value) | Q(scope__icontains=value)
        )
