from django.core.wsgi import get_wsgi_application

from portal.settings import use_settings

use_settings()
application = get_wsgi_application()
