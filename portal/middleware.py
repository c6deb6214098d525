from django.utils.cache import patch_cache_control

# No inline scripts or styles anywhere (the Django admin has none either): every script and
# stylesheet is a static file of the portal, so injected markup cannot run.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


def personal_data(view):
    """Mark a view that shows personal data to visitors who are not signed in (e.g. verification)."""
    view.shows_personal_data = True
    return view


class PrivateCacheMiddleware:
    """``Cache-Control: private, no-store`` on every response to a signed-in person and on pages
    marked with ``personal_data``: neither a shared proxy nor the browser's disk keeps them.

    Placed after the authentication middleware; static files (WhiteNoise) never get this far.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        signed_in = request.user.is_authenticated  # before the view: a sign-out answers privately too
        response = self.get_response(request)
        if signed_in or request.user.is_authenticated or getattr(request, "shows_personal_data", False):
            patch_cache_control(response, private=True, no_store=True)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        request.shows_personal_data = getattr(view_func, "shows_personal_data", False)
