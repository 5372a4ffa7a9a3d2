"""The one error the portal tooling raises; the CLI prints its message and exits 1."""


class PortalError(RuntimeError):
    """Something a person must fix or know, said in plain words (no traceback)."""
