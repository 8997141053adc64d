"""Password rules and temporary passwords."""

import secrets
import string

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
