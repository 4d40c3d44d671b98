"""The Business Unit's *Due for disposal* page, and the confirmation that disposes (POST only)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .access import require
from .lists import page_of
from .models import DisposalCandidate, DisposalRecord
from .retention import candidates_dispose, retention_schedule


class DisposeForm(forms.Form):
    selected = forms.ModelMultipleChoiceField(
        queryset=DisposalCandidate.objects.all(), required=False
    )
    only = forms.ModelChoiceField(queryset=DisposalCandidate.objects.all(), required=False)
    confirm = forms.BooleanField(
        label="I have checked these records: they have been kept long enough, and none is held "
        "for an inquiry, a complaint or a legal claim.",
    )


def disposals_due(request):
    """What the retention schedule says has been kept long enough, for an officer to confirm."""
    require(request.user.is_business_unit)
    candidates = DisposalCandidate.objects.order_by("due_on", "kind", "pk")
    page = page_of(request, candidates, 100)
    return render(
        request,
        "sscb/retention.html",
        {
            "page_obj": page,
            "schedule": retention_schedule(),
            "recent": list(DisposalRecord.objects.all()[:10]),
            "form": DisposeForm(),
        },
    )


@require_POST
def disposals_confirm(request):
    """Dispose of the one record whose button was pressed, or of every ticked one."""
    require(request.user.is_business_unit)
    form = DisposeForm(request.POST)
    if not form.is_valid():
        if "confirm" in form.errors:
            messages.error(request, "Tick the confirmation first: nothing was disposed of.")
        else:
            messages.error(request, "Those records are no longer listed: nothing was disposed of.")
        return redirect("retention:due")
    only = form.cleaned_data["only"]
    chosen = [only] if only else list(form.cleaned_data["selected"])
    if not chosen:
        messages.error(request, "Tick the records to dispose of: nothing was disposed of.")
        return redirect("retention:due")
    done, refused = candidates_dispose(
        candidate_ids=[candidate.pk for candidate in chosen], by=request.user
    )
    if done:
        messages.success(
            request,
            f"Disposed of {len(done)} record{'s' if len(done) != 1 else ''}: "
            + ", ".join(record.reference for record in done)
            + ".",
        )
    for candidate, reason in refused:
        messages.error(request, f"{candidate.reference} was not disposed of. {reason}")
    return redirect("retention:due")
