"""What every app's forms share."""

from django.core.exceptions import ValidationError


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's refusal on the form it came from: an error naming a field the form has
    goes against that field, anything else above the form (never the ValueError a plain
    ``form.add_error(None, error)`` raises for a field the form lacks)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
