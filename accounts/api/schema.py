"""OpenAPI descriptions of our authentication classes (drf-spectacular extensions)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApprovedTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApprovedTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Send "Authorization: Token <key>", with the key from POST /api/v1/auth/token/.',
        }


class ApprovedSessionScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApprovedSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
