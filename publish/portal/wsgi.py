"""WSGI entry point gunicorn serves CKAN from (CKAN's documented wsgi.py, config from CKAN_INI).

Runs inside CKAN's own venv, never the pipeline's.
"""

import os
from logging.config import fileConfig

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

config_path = os.environ["CKAN_INI"]
fileConfig(config_path)
application = make_app(CKANConfigLoader(config_path).get_config())
