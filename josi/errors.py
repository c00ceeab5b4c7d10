"""Which exceptions are the user's to fix (bad input, missing model) and print without a traceback."""
from __future__ import annotations


class DatasetError(ValueError):
    """A dataset that cannot be trained on as a whole (empty, or every example too long)."""


class RunDirError(ValueError):
    """A run directory that cannot be used as asked (e.g. it already holds a run and --resume was not given)."""


def is_user_error(err: BaseException) -> bool:
    from josi.contracts.context import ContextError
    from josi.gguf_validate import GGUFError
    from josi.knowledge import CardError
    from josi.models import ModelNotFound

    user_errors: tuple[type[BaseException], ...] = (CardError, ModelNotFound, ContextError, FileNotFoundError,
                                                     DatasetError, RunDirError, GGUFError)
    try:
        from josi.inputs import InputError

        user_errors += (InputError,)
    except ImportError:
        pass
    return isinstance(err, user_errors)
