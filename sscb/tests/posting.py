"""What a browser would post back from a form it was shown, unchanged: every field's value as
the page holds it, hidden ones included."""

from html.parser import HTMLParser


def as_posted(*forms, formsets=()) -> dict:
    """The data ``forms`` (and each of ``formsets``, with its management form) post unchanged."""
    data = {}
    forms = list(forms)
    for formset in formsets:
        forms.extend(formset.forms)
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            key = form.add_prefix(name)
            if isinstance(value, list | tuple):
                data[key] = [getattr(item, "pk", item) for item in value]
            elif value is True:
                data[key] = "on"
            else:
                data[key] = value.isoformat() if hasattr(value, "isoformat") else value
    return data


class _PageForm(HTMLParser):
    """The fields of the last form on a page that posts, as a browser sends them: a ticked box,
    each select's chosen option (or its first), a textarea's text; a disabled field not at all."""

    def __init__(self):
        super().__init__()
        self.fields, self._in_form, self._select, self._textarea = [], False, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.fields, self._in_form = [], True
        if not self._in_form:
            return
        name, disabled = attrs.get("name"), "disabled" in attrs
        if tag == "input" and name and not disabled:
            kind = attrs.get("type", "text")
            ticks = kind in ("checkbox", "radio")
            if kind not in ("submit", "button", "file") and (not ticks or "checked" in attrs):
                self.fields.append((name, attrs.get("value", "on" if ticks else "")))
        elif tag == "select":
            self._select = {"name": name, "skip": disabled, "many": "multiple" in attrs}
            self._select |= {"first": None, "chosen": []}
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attrs:
                self._select["chosen"].append(value)
        elif tag == "textarea" and name and not disabled:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select" and self._select is not None:
            select, self._select = self._select, None
            if select["skip"] or not select["name"]:
                return
            chosen = select["chosen"] or ([] if select["many"] else [select["first"] or ""])
            self.fields.extend((select["name"], value) for value in chosen)
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            self.fields.append((name, text.removeprefix("\n")))
            self._textarea = None


def from_page(html: str, **changed) -> dict:
    """What a browser posts from the last form that posts on the page ``html``, with the fields
    ``changed`` as typed; a field with several values (ticked boxes) as a list."""
    parser = _PageForm()
    parser.feed(html)
    data = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    data = {name: values[0] if len(values) == 1 else values for name, values in data.items()}
    return data | changed
