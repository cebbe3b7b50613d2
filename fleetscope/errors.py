"""One root exception for everything fleetscope reports to a user.

The CLI turns any `FleetscopeError` into `Error: <message>` on stderr and a non-zero exit code, so
every message must name what is wrong and where (file, line, object, field).
"""

from __future__ import annotations


class FleetscopeError(Exception):
    """Base class: a problem the user can act on, printed as `Error: ...`."""

    exit_code = 1


class ConfigError(FleetscopeError):
    """The configuration file is missing, malformed, or has an unknown key or wrong type."""

    exit_code = 2


class InputError(FleetscopeError):
    """Source data (a file or an API payload) is malformed; names the file/object and field."""

    exit_code = 3


class CollectError(FleetscopeError):
    """A source could not be reached or refused the request (dead endpoint, 401/403, 5xx...)."""

    exit_code = 4


class WarehouseError(FleetscopeError):
    """The warehouse could not be opened, migrated or written."""

    exit_code = 5


class TransformError(FleetscopeError):
    """A SQL model is malformed or failed to build; names the model file."""

    exit_code = 8


class ValidationFailed(FleetscopeError):
    """A critical data-quality check failed."""

    exit_code = 6


class LockTimeout(FleetscopeError):
    """Another fleetscope run holds the warehouse lock."""

    exit_code = 7
