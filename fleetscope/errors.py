"""One root exception for everything fleetscope reports to a user, and the exit-code table.

The CLI turns any `FleetscopeError` into `Error: <message>` on stderr and the error's exit code,
so every message must name what is wrong and where (file, line, object, field). Each code has
exactly one meaning, because schedulers act on the code alone (deploy/cronjob.yaml's
podFailurePolicy, docs/operations.md); `EXIT_CODES` is the only place the codes are written.
"""

from __future__ import annotations

# code -> (error class, meaning). docs/operations.md shows this table; a test keeps them equal
# and raises every code through the real CLI.
EXIT_CODES: dict[int, tuple[str, str]] = {
    0: ("", "everything succeeded"),
    1: ("FleetscopeError", "any other error: a bad option value the message names, or a bug "
                           "(then with a traceback)"),
    2: ("ConfigError", "bad configuration or command line (unknown key, wrong type, a "
                       "configured file missing, a wrong option)"),
    3: ("InputError", "a source file or API payload is malformed; nothing was loaded from it"),
    4: ("CollectError", "a source could not be collected (unreachable, refused, 401/403, 5xx); "
                        "recorded in `loads`, nothing of it loaded; in `run`: every source "
                        "failed and nothing was transformed or published"),
    5: ("WarehouseError", "the warehouse could not be opened or written"),
    6: ("ValidationFailed", "a critical data-quality check failed; reports were not published"),
    7: ("LockTimeout", "another fleetscope command held the warehouse lock past the timeout; "
                       "nothing was written"),
    8: ("TransformError", "a SQL model is malformed or failed to build"),
    9: ("PartialRun", "`run`: some sources failed (recorded in `loads`); the rest was "
                      "transformed, validated and published"),
}


class FleetscopeError(Exception):
    """Base class: a problem the user can act on, printed as `Error: ...`."""

    exit_code = 1

    def __init_subclass__(cls, *, code: int | None = None, **kwargs: object) -> None:
        # A subclass without `code` is a finer kind of its parent and keeps the parent's code.
        super().__init_subclass__(**kwargs)
        if code is None:
            return
        if EXIT_CODES.get(code, ("",))[0] != cls.__name__:
            raise TypeError(f"{cls.__name__}: exit code {code} belongs to "
                            f"{EXIT_CODES.get(code, ('nobody',))[0]} in EXIT_CODES")
        cls.exit_code = code


class ConfigError(FleetscopeError, code=2):
    """The configuration file is missing, malformed, or has an unknown key or wrong type."""


class InputError(FleetscopeError, code=3):
    """Source data (a file or an API payload) is malformed; names the file/object and field."""


class CollectError(FleetscopeError, code=4):
    """A source could not be reached or refused the request (dead endpoint, 401/403, 5xx...)."""


class WarehouseError(FleetscopeError, code=5):
    """The warehouse could not be opened, migrated or written."""


class ValidationFailed(FleetscopeError, code=6):
    """A critical data-quality check failed."""


class LockTimeout(FleetscopeError, code=7):
    """Another fleetscope run holds the warehouse lock."""


class TransformError(FleetscopeError, code=8):
    """A SQL model is malformed or failed to build; names the model file."""


class PartialRun(FleetscopeError, code=9):
    """`run`: some sources failed to collect; everything else ran and reports were published."""
