"""Shared set-up for the 码上巡察 and questionnaire tests."""

import io
import os

from django.core.files.uploadedfile import SimpleUploadedFile

from intake import services
from intake.models import Channel
from rectification import services as rect_services
from rectification.models import QuestionScale


def noise_png(size: int = 120, name: str = "现场.png") -> SimpleUploadedFile:
    """A PNG of random pixels: it does not compress, so its size is what it weighs."""
    from PIL import Image

    image = Image.frombytes("RGB", (size, size), os.urandom(size * size * 3))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def channel(target, user) -> Channel:
    return services.channel_for(target=target, user=user)


def questionnaire(office_user, name: str = "整改满意度测评问卷"):
    """Two aspects weighted 60/40: the first with a five-level question (weight 2)
    and a four-level one (weight 1), the second with one 0-10 question."""
    q = rect_services.questionnaire_create(office=office_user.office, name=name, user=office_user)
    work = rect_services.aspect_add(questionnaire=q, name="整改工作", weight=60, user=office_user)
    effect = rect_services.aspect_add(questionnaire=q, name="整改成效", weight=40, user=office_user)
    questions = [
        rect_services.question_add(
            aspect=work, text="整改态度是否端正", scale=QuestionScale.FIVE, weight=2,
            user=office_user,
        ),
        rect_services.question_add(
            aspect=work, text="整改措施是否有力", scale=QuestionScale.FOUR, weight=1,
            user=office_user,
        ),
        rect_services.question_add(
            aspect=effect, text="群众反映的问题是否解决", scale=QuestionScale.TEN, weight=1,
            user=office_user,
        ),
    ]  # fmt: skip
    return q, questions
