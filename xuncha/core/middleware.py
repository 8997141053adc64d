from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import add_never_cache_headers


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


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every response to a signed-in person.

    Their pages carry case data (problems, ledgers, clues, the dashboard); a
    shared office computer's browser cache or a proxy must not keep a copy
    after they sign out. A view that set its own Cache-Control (the file
    downloads' "private, no-store") keeps it. Anonymous pages (the sign-in
    page, health check) hold nothing worth hiding and are left alone; static
    files never reach this middleware (WhiteNoise answers them first) and stay
    cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in and "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response
