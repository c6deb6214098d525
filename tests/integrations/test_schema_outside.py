"""The schema the portal serves, read by a validator written elsewhere (openapi-spec-validator):
a valid OpenAPI 3.1 document, the defaults of its parameters included."""

import yaml
from openapi_spec_validator import validate


def test_the_served_schema_is_valid_openapi_3_1(client):
    document = yaml.safe_load(client.get("/api/v1/schema/").content)
    assert document["openapi"] == "3.1.0"
    validate(document)  # raises on any error
