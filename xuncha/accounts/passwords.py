"""Password rules of the 等保 kind (AUTH_PASSWORD_VALIDATORS) and temporary passwords."""

import secrets
import string

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Letters and digits that cannot be misread when read out or copied from a screen.
_LOWER = "abcdefghijkmnpqrstuvwxyz"
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_DIGITS = "23456789"
_SYMBOLS = "-_#@%+="


def generate_temporary_password(length: int = 14) -> str:
    """A random password with every character class, so it passes any policy here."""
    classes = [_LOWER, _UPPER, _DIGITS, _SYMBOLS]
    chars = [secrets.choice(group) for group in classes]
    alphabet = "".join(classes)
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


CHARACTER_CLASSES = (
    ("lower", string.ascii_lowercase),
    ("upper", string.ascii_uppercase),
    ("digit", string.digits),
)


class CharacterClassesValidator:
    """At least ``min_classes`` of: lower-case, upper-case, digits, other characters (等保)."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        classes = {name for name, chars in CHARACTER_CLASSES for c in password if c in chars}
        if any(not c.isascii() or not c.isalnum() for c in password):
            classes.add("other")
        if len(classes) < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、特殊字符中的至少 %(n)d 类。")
                % {"n": self.min_classes},
                code="password_too_few_classes",
            )

    def get_help_text(self):
        return _("密码须包含大写字母、小写字母、数字、特殊字符中的至少 %(n)d 类。") % {
            "n": self.min_classes
        }


class NoUsernameOrSystemNameValidator:
    """Refuses a password that contains the account's username or an obvious word
    (the system's own name, "password", "admin"...), whatever the case."""

    def __init__(self, words=("xuncha", "password", "passw0rd", "admin", "qwerty", "123456")):
        self.words = tuple(w.lower() for w in words)

    def validate(self, password, user=None):
        lowered = password.lower()
        username = (getattr(user, "username", "") or "").lower()
        if len(username) >= 3 and username in lowered:
            raise ValidationError(_("密码不能包含用户名。"), code="password_contains_username")
        if any(word in lowered for word in self.words):
            raise ValidationError(
                _("密码不能包含系统名称或常见词（如 xuncha、password、admin）。"),
                code="password_contains_common_word",
            )

    def get_help_text(self):
        return _("密码不能包含用户名、系统名称或常见词。")


class PasswordHistoryValidator:
    """The last ``count`` passwords of an account cannot be used again.

    Django calls ``password_changed`` whenever a user row is saved after
    set_password, so every way of setting a password keeps the history."""

    def __init__(self, count: int = 5):
        self.count = count

    def validate(self, password, user=None):
        if not self.count or user is None or not user.pk:
            return
        from xuncha.accounts.models import PasswordHistory

        recent = PasswordHistory.objects.filter(user=user).order_by("-created_at", "-id")
        hashes = [user.password, *recent.values_list("password", flat=True)[: self.count]]
        if any(encoded and check_password(password, encoded) for encoded in hashes):
            raise ValidationError(
                _("不能使用最近 %(n)d 次用过的密码。") % {"n": self.count},
                code="password_reused",
            )

    def password_changed(self, password, user=None):
        if not self.count or user is None or not user.pk:
            return
        from xuncha.accounts.models import PasswordHistory

        PasswordHistory.objects.create(user=user, password=make_password(password))
        stale = PasswordHistory.objects.filter(user=user).order_by("-created_at", "-id")[
            self.count :
        ]
        PasswordHistory.objects.filter(pk__in=list(stale.values_list("pk", flat=True))).delete()

    def get_help_text(self):
        return _("不能使用最近 %(n)d 次用过的密码。") % {"n": self.count}
