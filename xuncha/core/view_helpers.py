"""Small helpers every app's views share: page size and a service's refusal
shown as messages or on the form that was posted."""

from django.contrib import messages
from django.core.exceptions import ValidationError

PAGE_SIZE = 50


def error_messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def report_error(request, error: ValidationError) -> None:
    """Each of the service's Chinese reasons as its own message."""
    for message in error_messages(error):
        messages.error(request, message)


def form_errors(request, form) -> None:
    """A form's errors as messages, for the forms that post from another page."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)


def add_service_errors(form, error: ValidationError) -> None:
    """A service's refusal on the form: on the field it names, if the form has
    it, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
