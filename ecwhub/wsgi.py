"""WSGI entry point: ``gunicorn ecwhub.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecwhub.settings")
application = get_wsgi_application()
