"""Response headers Django has no setting for: Permissions-Policy and CORP."""

from django.conf import settings

from session_security.middleware.base import NativeMiddleware


class SecurityHeadersMiddleware(NativeMiddleware):
    """Sends ``PERMISSIONS_POLICY`` and ``CROSS_ORIGIN_RESOURCE_POLICY`` on every response."""

    def __init__(self, get_response):
        super().__init__(get_response)
        self.headers = {
            "Permissions-Policy": settings.PERMISSIONS_POLICY,
            "Cross-Origin-Resource-Policy": settings.CROSS_ORIGIN_RESOURCE_POLICY,
        }

    def after(self, request, response):
        for name, value in self.headers.items():
            response.headers.setdefault(name, value)
        return response
