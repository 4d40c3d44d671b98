import django_filters
from django.db.models import Q

from sscb.filters import ListFilterSet, ModelChoiceFilter
from sscb.models import SubGroup

from .models import Audit


class AuditFilter(ListFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    kind = django_filters.ChoiceFilter(choices=Audit.Kind.choices)
    stage = django_filters.ChoiceFilter(choices=Audit.Stage.choices)
    lead_subgroup = ModelChoiceFilter(queryset=SubGroup.objects.all(), label="Lead sub-group")

    class Meta:
        model = Audit
        fields = ["q", "kind", "stage", "lead_subgroup"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value) | Q(reference__icontains=value) | Q(scope__icontains=value)
        )
