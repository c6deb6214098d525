"""How the schema names the two ways to sign in (loaded when Django starts: ``apps.ready``)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`: a key an administrator made on the API keys page.",
        }


class PortalSessionScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.authentication.PortalSessionAuthentication"
    name = "PortalSession"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "The portal's session; a write also needs the CSRF token (`X-CSRFToken`).",
        }
