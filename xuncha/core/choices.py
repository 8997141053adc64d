"""``get_FOO_display`` for the models that fill long lists.

Django's version builds a dict of every choice on each call and hashes each
label to do it; the labels are lazy translations, so every call translates
every choice of the field (a list of 50 problems with three such columns was
about 700 translations). This one keeps one map per field and translates
only the label it returns; the result is the same.
"""

from django.utils.encoding import force_str


class ChoiceLabelsMixin:
    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        labels = field.__dict__.get("_xuncha_choice_labels")
        if labels is None:
            labels = field._xuncha_choice_labels = dict(field.flatchoices)
        try:
            label = labels.get(value, value)
        except TypeError:  # an unhashable value: Django's own way
            return super()._get_FIELD_display(field)
        return force_str(label, strings_only=True)
