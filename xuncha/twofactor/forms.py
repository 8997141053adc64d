from django import forms
from django.utils.translation import gettext_lazy as _

from xuncha.twofactor.services import is_code_shaped, normalise_code


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "autofocus": True,
                "class": "form-control form-control-lg text-center",
            }
        ),
    )

    def __init__(self, *args, recovery_allowed: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.recovery_allowed = recovery_allowed

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if not is_code_shaped(code) or (
            not self.recovery_allowed and not normalise_code(code).isdigit()
        ):
            if self.recovery_allowed:
                raise forms.ValidationError(_("请输入身份验证器上的 6 位数字，或一个 8 位恢复码。"))
            raise forms.ValidationError(_("请输入身份验证器上的 6 位数字。"))
        return code


class ResetRequestForm(forms.Form):
    username = forms.CharField(label=_("账号用户名"), max_length=150)
    reason = forms.CharField(
        label=_("原因"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("例如：手机丢失，本人已当面核实身份")}),
    )
