from django.contrib import admin
from rest_framework_api_key.models import APIKey

# Keys are made and revoked on the API keys page (audited), not in the Django admin.
admin.site.unregister(APIKey)
