"""Plain-language leaflets about each kind of review, open to anyone without signing in."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render

from . import process
from .models import Review


@login_not_required
def process_index(request):
    """Which kinds of review there are, each with its leaflet."""
    return render(request, "reviews/process_index.html", {"leaflets": process.leaflets()})


@login_not_required
def process_kind(request, kind):
    """How one kind of review goes, step by step; printable as a leaflet."""
    if kind not in Review.Kind.values:
        raise Http404("No such kind of review")
    return render(request, "reviews/process_kind.html", process.leaflet(kind))
