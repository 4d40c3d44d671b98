"""What every app's form pages share: a form, a service to save it, a page that says why."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render

from . import sending
from .forms import add_service_errors


def form_page(request, form, *, template, title, purpose, back, save, success, **context):
    """Render ``form``; on a valid POST call ``save()`` in a transaction, report ``success`` and
    redirect to what it saved (or ``back``). A service's refusal goes onto the form (400)."""
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                saved = save()
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            sending.saved(form, saved)
            messages.success(request, success)
            return redirect(
                saved.get_absolute_url() if hasattr(saved, "get_absolute_url") else back
            )
    if first := sending.sent_before(form):
        messages.info(request, sending.SENT_AGAIN)
        return redirect(first)
    return render(
        request,
        template,
        {"form": form, "title": title, "purpose": purpose, "back": back, **context},
        status=400 if request.method == "POST" else 200,
    )


def act_page(request, record, act, success):
    """A one-button act (submit, approve, publish): call the service in a transaction, say what
    happened or, refused, why not in its own words, and go back to the record's page."""
    try:
        with transaction.atomic():
            act()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect(record.get_absolute_url())


def form_act_page(request, record, form, *, save, success, page, form_name, warning=None):
    """An act whose form is typed on ``record``'s page (a decision, a send-back with its
    reason): on a valid ``form`` call ``save()`` (one service) in a transaction, say ``success``
    (or, a function, what it makes of what ``save()`` returned), then what ``warning`` makes of
    it if anything, and go back to the record; otherwise ``page``, the record's page again,
    re-read, with the form (as ``form_name``) showing why, what was typed kept in it and nothing
    changed."""
    if form.is_valid():
        try:
            with transaction.atomic():
                saved = save()
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success(saved) if callable(success) else success)
            if warning is not None and (said := warning(saved)):
                messages.warning(request, said)
            return redirect(record.get_absolute_url())
    return page(request, record.uuid, **{form_name: form})
