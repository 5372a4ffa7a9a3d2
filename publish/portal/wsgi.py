"""WSGI entry point gunicorn serves CKAN from (CKAN's documented wsgi.py, config from CKAN_INI).

Runs inside CKAN's own venv, never the pipeline's.
"""

import logging
import os

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

config_path = os.environ["CKAN_INI"]
# CKANConfigLoader applies the ini's [loggers] with logging.config.fileConfig, whose
# default disables every logger that already exists: gunicorn's own among them, which
# left the access log (gunicorn.access) empty. Turn gunicorn's loggers back on after.
application = make_app(CKANConfigLoader(config_path).get_config())
for _name in ("gunicorn.access", "gunicorn.error"):
    logging.getLogger(_name).disabled = False
