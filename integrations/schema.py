"""OpenAPI description of the integration-key authentication (drf-spectacular extension)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class IntegrationKeyScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.api.authentication.IntegrationKeyAuthentication"
    name = "integrationKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "hcrm_<prefix>_<secret>",
            "description": "A hotel's integration key, created by a manager under API keys. "
            "`Authorization: Api-Key <key>` is accepted too.",
        }
