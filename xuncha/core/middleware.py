from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Chinese unless the person chose English with the language switch.

    Django's own middleware follows the browser's Accept-Language; an office
    machine with an English browser would then show English by surprise. The
    product is Chinese first, so only the explicit choice (the cookie set by
    /i18n/setlang/) changes the language."""

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
