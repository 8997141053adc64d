from django import forms
from django.utils.translation import gettext_lazy as _

from xuncha.core.forms import BootstrapFormMixin


class AuditFilterForm(BootstrapFormMixin, forms.Form):
    actor = forms.CharField(label=_("操作人"), required=False)
    action = forms.CharField(label=_("操作"), required=False)
    object_type = forms.CharField(label=_("对象类型"), required=False)
    object_id = forms.CharField(label=_("对象编号"), required=False)
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
