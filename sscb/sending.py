"""What a form that saves records guards against, whatever view shows it.

- **Someone else's change, undone.** An edit form carries a short fingerprint of each value it
  showed (``SHOWN``). When it comes back, a field saved differently since keeps the saved value
  if the person left it as shown; if they typed over it, nothing is saved, and the form says who
  changed what and when, shows what is saved now and keeps what was typed (sent again, it saves
  what was typed).
- **The same page sent twice.** A form that adds a record carries a one-time key (``ONCE``). A
  valid send claims that key, and who sent what to which address, in the cache; the same page
  sent again (a second click, Back and send, a replayed request; Back may reload the page with
  a new key, but not with new words) is refused, with a link to what the first send saved
  where it is known. A refusal by the service gives the claims back; a page shown again after
  a refusal carries a new key.

A post that leaves these fields out (a script, most tests) is checked as before: the guards are
for people in browsers, who lose work to these two mistakes. The claims live in the cache,
shared by every process when ``REDIS_URL`` is set; without it, within one process.
"""

import hashlib
import secrets

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.choices import flatten_choices
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.timezone import localtime
from simple_history.models import HistoricalRecords

SHOWN = "shown_as"
ONCE = "sent_once"
# How long a sent form is remembered: a day covers a page left open and sent again tomorrow
# morning; a form older than that is sent as new.
ONCE_KEPT = 24 * 60 * 60
SENT = "sent"  # the key's value until the page that saved it says where it went
SENT_AGAIN = "This page had already been sent and was saved then; it has not been saved again."
NOW_SAVED_LENGTH = 200


class GuardField(forms.Field):
    """A hidden value the guard reads itself: never a change to the form, never in its data."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def has_changed(self, initial, data):
        return False


class SendingGuardMixin:
    """Guards a form's save (see the module). A ModelForm of a saved record is guarded as an
    edit of it, and of a new one as an addition. A form that shows a saved record's values as
    its ``initial`` names it as ``record``, and is guarded as an edit of it; a form that adds
    records says so with ``adds_records`` (a new version of a record is both)."""

    adds_records = False

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        self.record = record if record is not None else instance
        self.editing = self.record is not None and not self.record._state.adding
        self.claimed = None  # the cache keys of this send, once claimed
        self.sent_before = None  # where the first send went, for a page sent again
        if self.editing:
            # Worked out when shown, after the form's own set-up has settled its fields.
            self.fields[SHOWN] = GuardField(initial=lambda: _joined(self._fingerprints()))
        if self.adds_records or (instance is not None and instance._state.adding):
            self.fields[ONCE] = GuardField(initial=secrets.token_urlsafe(16))

    def full_clean(self):
        self.conflicts, self.kept = [], {}
        super().full_clean()
        if not self.is_bound or (self.empty_permitted and not self.has_changed()):
            return
        for name in (SHOWN, ONCE):
            self.cleaned_data.pop(name, None)
        if self.conflicts:
            self._refuse_overwrite()
        if ONCE in self.fields and not self._errors:
            self._claim()

    def _post_clean(self):
        # Before a ModelForm builds its record from what was sent.
        if self.editing and self.is_bound:
            self._keep_others_changes()
        super()._post_clean()

    # Someone else's change -----------------------------------------------------------------

    def _edited(self) -> list[str]:
        """The form's fields that show a value of its record."""
        if isinstance(self, forms.BaseModelForm):
            names = {field.name for field in self._meta.model._meta.get_fields()}
            return [name for name in self.fields if name in names and name in self.initial]
        return [name for name in self.fields if name in self.initial]

    def _fingerprint(self, name, value) -> str:
        value = self.fields[name].prepare_value(value)
        if isinstance(value, list | tuple | set):
            value = sorted(str(each) for each in value)
        return hashlib.blake2b(repr(value).encode(), digest_size=4).hexdigest()

    def _fingerprints(self) -> dict[str, str]:
        return {
            name: self._fingerprint(name, self.get_initial_for_field(self.fields[name], name))
            for name in self._edited()
        }

    def _keep_others_changes(self):
        """Each field saved differently since the page was shown: left as shown, it keeps the
        saved value (``kept``); typed over, it is a ``conflict``."""
        sent = _parsed(self.data.get(self.add_prefix(SHOWN)))
        if not sent:
            return
        self.now = self._fingerprints()
        for name, now in self.now.items():
            if sent.get(name, now) == now or name not in self.cleaned_data:
                continue
            typed = self._fingerprint(name, self.cleaned_data[name])
            if typed == now:
                continue  # typed what is saved now
            field = self.fields[name]
            if typed == sent[name] and not isinstance(field, forms.FileField):
                try:
                    self.cleaned_data[name] = field.clean(field.prepare_value(self.initial[name]))
                except ValidationError:
                    pass
                else:
                    self.kept[name] = self.initial[name]
                    continue
            self.conflicts.append(name)

    def _refuse_overwrite(self):
        """Nothing saved: the person typed over a change made after the page was shown."""
        for name in self.conflicts:
            self.add_error(
                name, f"Changed after you opened the page. Saved now: {self._now_saved(name)}."
            )
        labels = ", ".join(f"“{self.fields[name].label or name}”" for name in self.conflicts)
        self.add_error(
            None,
            f"{_last_change(self.record)} changed this {self.record._meta.verbose_name} "
            f"after you opened the page, and you changed it too: {labels}. Nothing has been "
            "saved. What you typed is below, with what is saved now under each of these; "
            "save again to keep what you typed.",
        )
        self._show(SHOWN, _joined(self.now))
        for name, value in self.kept.items():  # sent again, it keeps what others saved
            self._show(name, value)

    def _now_saved(self, name) -> str:
        """The saved value of ``name`` in words, through the form's own choices: a record the
        form does not offer this person is not named."""
        field = self.fields[name]
        value = self.initial[name]
        if value in (None, "", [], ()):
            return "nothing"
        if isinstance(field, forms.ModelChoiceField):
            keys = [
                getattr(each, "pk", each)
                for each in (value if isinstance(value, list | tuple) else [value])
            ]
            records = field.queryset.filter(pk__in=keys)
            return "; ".join(field.label_from_instance(record) for record in records) or (
                "a record you cannot choose here"
            )
        if hasattr(field, "choices"):
            return str(dict(flatten_choices(field.choices)).get(value, value))
        if hasattr(value, "strftime"):
            return date_format(value, "j F Y")
        return f"“{Truncator(str(value)).chars(NOW_SAVED_LENGTH)}”"

    # The same form sent twice ----------------------------------------------------------------

    def _claim(self):
        """Claim this send, by its page's key and by what it holds: a page shown afresh (the
        browser's Back button reloads it) and sent again with the same words is the same send.
        """
        page_key = self.data.get(self.add_prefix(ONCE))
        if not page_key:
            return
        self.claimed = []
        for key in (_cache_key("page", page_key), _cache_key("sent", *self._sent())):
            if cache.add(key, SENT, ONCE_KEPT):
                self.claimed.append(key)
                continue
            not_saved(self)
            self.sent_before = cache.get(key) or SENT
            self.add_error(None, self._sent_before_message())
            return
        self._show(ONCE, secrets.token_urlsafe(16))

    def _sent(self) -> list[str]:
        """Who sent what, where: the person, the page's address, and each value sent (a file by
        its name and a digest of what it holds), less the page's own keys."""
        request = getattr(HistoricalRecords.context, "request", None)
        user = getattr(request, "user", None)
        skipped = {"csrfmiddlewaretoken", self.add_prefix(ONCE), self.add_prefix(SHOWN)}
        lists = self.data.lists() if hasattr(self.data, "lists") else self.data.items()
        return [
            str(getattr(user, "pk", "")),
            request.get_full_path() if request is not None else "",
            type(self).__qualname__,
            repr(sorted((key, value) for key, value in lists if key not in skipped)),
            repr(sorted((key, upload.name, _digest(upload)) for key, upload in self.files.items())),
            *map(str, self.sent_with()),
        ]

    def sent_with(self) -> tuple:
        """What else a send is the same send only with: the state of what it adds to, where an
        addition may rightly be sent again once that has changed (someone who left a team, added
        back the same day)."""
        return ()

    def _sent_before_message(self):
        if self.sent_before != SENT:
            return format_html(
                'This page had already been sent and was saved then: <a href="{}">open what '
                "it saved</a>. It has not been saved again.",
                self.sent_before,
            )
        return (
            "This page had already been sent and was saved then, so it has not been saved "
            "again. Look for it in the list before adding it again."
        )

    def _show(self, name, value):
        """Show ``value`` in field ``name`` when the form is shown again (a saved value, or a
        guard's renewed one)."""
        value = self.fields[name].prepare_value(value)
        key = self.add_prefix(name)
        self.data = self.data.copy()
        if isinstance(value, list | tuple):
            values = [str(each) for each in value]
            if hasattr(self.data, "setlist"):
                self.data.setlist(key, values)
            else:
                self.data[key] = values
        elif value is True:
            self.data[key] = "on"
        elif value is False or value is None:
            self.data.pop(key, None)
        else:
            self.data[key] = value.isoformat() if hasattr(value, "isoformat") else str(value)


def saved(form, record) -> None:
    """Remember where a guarded form's send went, so a second send can link to it."""
    url = getattr(record, "get_absolute_url", None)
    if getattr(form, "claimed", None) and url:
        cache.set_many(dict.fromkeys(form.claimed, url()), ONCE_KEPT)


def not_saved(form) -> None:
    """A guarded form's send was refused after its checks: the same page may be sent again."""
    if getattr(form, "claimed", None):
        cache.delete_many(form.claimed)
    form.claimed = None


def sent_before(form) -> str | None:
    """Where the first send of a page sent again went, when it is known."""
    where = getattr(form, "sent_before", None)
    return where if where and where != SENT else None


def _digest(upload) -> str:
    """What an uploaded file holds, in short; read from its start, and left there."""
    digest = hashlib.blake2b(digest_size=16)
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _cache_key(kind: str, *parts: str) -> str:
    digest = hashlib.blake2b("\x00".join(parts).encode(), digest_size=16).hexdigest()
    return f"sent-once:{kind}:{digest}"


def _joined(fingerprints: dict[str, str]) -> str:
    return " ".join(f"{name}:{print_}" for name, print_ in fingerprints.items())


def _parsed(value) -> dict[str, str]:
    pairs = (part.rpartition(":") for part in str(value or "").split())
    return {name: print_ for name, _, print_ in pairs if name}


def _last_change(instance) -> str:
    """Who last changed ``instance`` and when, from its history: "Sam Patel, at 14:02 on
    7 December 2026,"; "Someone" where it has none."""
    history = getattr(instance, "history", None)
    version = history.select_related("history_user").first() if history is not None else None
    if version is None:
        return "Someone"
    when = localtime(version.history_date)
    who = str(version.history_user) if version.history_user else "Someone"
    return f"{who}, at {when:%H:%M} on {date_format(when, 'j F Y')},"
