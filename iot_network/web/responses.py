"""Responses that do their work after they have been sent."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponse


class HttpResponseThen(HttpResponse):
    """An HttpResponse that calls ``then()`` once it has been sent: the WSGI server calls
    ``close()`` after writing the last byte, and Django gives the database connection back only
    after that. For work whose duration would tell the visitor something the page does not (a
    confirmation link made only for an address on the list): the visitor's answer takes the
    same time either way. A failure in ``then`` is logged by the server; the visitor has their
    page already. (Django's test client also closes each response, so tests see the work done.)
    """

    def __init__(self, content: str, *, then: Callable[[], object], **kwargs):
        super().__init__(content, **kwargs)
        self._then = then

    def close(self) -> None:
        try:
            then, self._then = self._then, None
            if then is not None:
                then()
        finally:
            super().close()
