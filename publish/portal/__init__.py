"""The local CKAN portal: install, start, stop and inspect it on loopback.

Standard library only, so ``make portal-up`` works before the pipeline's own
environment exists. See ``publish/portal/README.md``.
"""
