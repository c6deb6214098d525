# The world of the pages' permission matrix: the API's matrix runs over the same visitors and objects.
from ..assessments.test_permissions import world  # noqa: F401
