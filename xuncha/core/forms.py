from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape


class BootstrapFormMixin:
    """Gives every widget Bootstrap's class, so templates can render ``{{ field }}``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select form-select-sm"
            elif isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                continue
            else:
                css = "form-control form-control-sm"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


# --- A lean form renderer ---------------------------------------------------------
#
# Django renders every widget through templates: a <select> is select.html,
# and each of its <option>s is select_option.html plus attrs.html, each a
# template render with its own context. A list's filter form has about a
# hundred options: that was a few hundred template renders per list page, a
# good part of the page's CPU. The renderer below writes the same HTML for
# selects and plain inputs in Python (tests/test_lean_forms.py compares it
# with Django's templates, byte for byte) and leaves every other widget to
# the templates.

_INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "text",
        "number",
        "email",
        "url",
        "password",
        "search",
        "tel",
        "hidden",
        "date",
        "datetime",
        "time",
        "checkbox",
    )
)
SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _attrs(attrs: dict) -> str:
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {name}" if value is True else f' {name}="{conditional_escape(value)}"')
    return "".join(parts)


def _option(option: dict) -> str:
    return (
        f'<option value="{conditional_escape(option["value"])}"{_attrs(option["attrs"])}>'
        f"{conditional_escape(option['label'])}</option>\n"
    )


def render_select(widget: dict) -> str:
    html = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            html.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option.get("template_name", OPTION_TEMPLATE) != OPTION_TEMPLATE:
                return ""  # an option of its own kind: let the templates do it
            html.append("\n  " + _option(option))
        if group_name:
            html.append("\n  </optgroup>")
    html.append("\n</select>")
    return "".join(html)


def render_input(widget: dict) -> str:
    value = widget.get("value")
    shown = "" if value is None else f' value="{conditional_escape(value)}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


class LeanFormRenderer(DjangoTemplates):
    """settings.FORM_RENDERER: selects and plain inputs without a template each.
    (DjangoTemplates strips what a widget template writes; so do these.)"""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None:
            if template_name == SELECT_TEMPLATE:
                html = render_select(widget)
                if html:
                    return html
            elif template_name in _INPUT_TEMPLATES:
                return render_input(widget)
        return super().render(template_name, context, request)
