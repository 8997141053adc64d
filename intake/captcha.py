"""An offline CAPTCHA drawn with Pillow: a few characters, each turned and
placed apart, over noise lines and dots. The answer lives only in the
visitor's session (as a hash), is good for one try and ten minutes."""

import base64
import functools
import hashlib
import io
import secrets
import time
from pathlib import Path

from django.conf import settings

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L to confuse
LENGTH = 4
TTL_SECONDS = 600
SESSION_KEY = "intake_captcha"
FONT = Path(settings.BASE_DIR) / "static" / "fonts" / "NotoSansSC-Regular.ttf"


def random_answer() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def _digest(answer: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{answer}".encode()).hexdigest()


@functools.lru_cache(maxsize=1)
def _font():
    from PIL import ImageFont

    return ImageFont.truetype(str(FONT), 30)


def draw(answer: str) -> bytes:
    from PIL import Image, ImageDraw

    rng = secrets.SystemRandom()
    width, height = 160, 56
    image = Image.new("RGB", (width, height), (246, 248, 250))
    pen = ImageDraw.Draw(image)
    for _ in range(6):
        pen.line(
            [(rng.randint(0, width), rng.randint(0, height)) for _ in range(2)],
            fill=(rng.randint(90, 170),) * 3,
            width=2,
        )
    for index, char in enumerate(answer):
        glyph = Image.new("RGBA", (40, 48), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text(
            (6, 2), char, font=_font(), fill=(rng.randint(0, 60), rng.randint(20, 80), 120)
        )
        glyph = glyph.rotate(rng.randint(-28, 28), resample=Image.Resampling.BICUBIC)
        image.paste(glyph, (8 + index * 36 + rng.randint(-3, 3), rng.randint(0, 8)), glyph)
    for _ in range(120):
        pen.point((rng.randint(0, width - 1), rng.randint(0, height - 1)), fill=(120, 120, 120))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def new_challenge(session) -> str:
    """A fresh challenge for this session; the image as a data: URI for the page."""
    answer = random_answer()
    session[SESSION_KEY] = {"digest": _digest(answer), "at": time.time()}
    return "data:image/png;base64," + base64.b64encode(draw(answer)).decode()


def solved(session, given: str) -> bool:
    """One try per challenge: the stored answer is dropped whatever was typed."""
    stored = session.pop(SESSION_KEY, None)
    if not stored or time.time() - stored.get("at", 0) > TTL_SECONDS:
        return False
    answer = "".join(given.split()).upper()
    return secrets.compare_digest(_digest(answer), stored.get("digest", ""))
