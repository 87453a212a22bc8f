"""Hostile input stopped at the edge, before any view or query sees it.

Control characters (NUL above all: PostgreSQL text cannot hold it) have no business in a URL or a
form field of this application; a path carrying one names nothing (404), a query string or form
carrying one is a bad request (400). JSON bodies get the same rule from `JSONParser` below, with
a bound on size and depth so that no body can exhaust the parser.
"""

from __future__ import annotations

import json
import re

from django.http import HttpResponseBadRequest, HttpResponseNotFound, JsonResponse
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as DRFJSONParser

# C0 controls and DEL, except tab, line feed and carriage return (typed in multi-line fields).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
JSON_MAX_BYTES = 1024 * 1024
JSON_MAX_DEPTH = 20


def has_control(value: str) -> bool:
    return bool(CONTROL.search(value))


class ControlCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path_info.startswith("/api/")
        if has_control(request.path_info):
            message = _("This address contains a control character and names nothing.")
            return JsonResponse({"detail": message}, status=404) if api else HttpResponseNotFound(message)
        fields = [*request.GET.lists()]
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            fields += request.POST.lists()
        if any(has_control(key) or any(has_control(v) for v in values) for key, values in fields):
            message = _("A field contains a control character (such as NUL): remove it and try again.")
            return JsonResponse({"detail": message}, status=400) if api else HttpResponseBadRequest(message)
        return self.get_response(request)


def _depth(value, limit: int) -> int:
    """Depth of nested lists and objects, iteratively (no recursion to exhaust)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if deepest > limit:
                return deepest
            stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _strings(value):
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


class JSONParser(DRFJSONParser):
    """DRF's JSON parser with bounds: size, nesting depth, and no control characters in strings.
    Every refusal is a ParseError, which the API answers with 400 and a JSON body."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read(JSON_MAX_BYTES + 1) if stream is not None else b""
        if len(raw) > JSON_MAX_BYTES:
            raise ParseError(_("The request body is too large (at most 1 MB)."))
        try:
            data = json.loads(raw.decode("utf-8")) if raw else {}
        except RecursionError:
            raise ParseError(_("The JSON body is nested too deeply.")) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(_("The request body is not valid JSON: %(error)s") % {"error": exc}) from None
        if not isinstance(data, dict):  # every endpoint reads named fields
            raise ParseError(_("The request body must be a JSON object."))
        if _depth(data, JSON_MAX_DEPTH) > JSON_MAX_DEPTH:
            raise ParseError(_("The JSON body is nested too deeply."))
        if any(has_control(text) for text in _strings(data)):
            raise ParseError(_("A field contains a control character (such as NUL): remove it and try again."))
        return data
