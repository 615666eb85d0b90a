"""The interface language: Vietnamese unless the user picked English with the language switch."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ChosenLanguageMiddleware:
    """Django's LocaleMiddleware also follows the browser's Accept-Language, and many officers run an
    English browser; the product speaks Vietnamese, so only an explicit choice (the cookie that
    ``set_language`` writes) switches it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            # set_language accepts variants ("en-us", "EN"); map them as LocaleMiddleware would.
            cookie = request.COOKIES[settings.LANGUAGE_COOKIE_NAME]
            language = translation.get_supported_language_variant(cookie)
        except (KeyError, LookupError):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response
