"""A base for middleware that runs natively under WSGI and ASGI (no ``MiddlewareMixin`` hop)."""

from asgiref.sync import iscoroutinefunction, markcoroutinefunction


class NativeMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.async_mode:
            return self.__acall__(request)
        self.before(request)
        return self.after(request, self.get_response(request))

    async def __acall__(self, request):
        self.before(request)
        return self.after(request, await self.get_response(request))

    def before(self, request):
        """Work on the request before the view (no I/O)."""

    def after(self, request, response):
        """Work on the response (no I/O); returns it."""
        return response
