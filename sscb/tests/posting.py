"""What a browser would post back from a form it was shown, unchanged: every field's value as
the page holds it, hidden ones included."""


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
