"""Which exceptions are the user's to fix (bad input, missing model) and print without a traceback."""
from __future__ import annotations


def is_user_error(err: BaseException) -> bool:
    from josi.contracts.context import ContextError
    from josi.knowledge import CardError
    from josi.models import ModelNotFound

    user_errors: tuple[type[BaseException], ...] = (CardError, ModelNotFound, ContextError, FileNotFoundError)
    try:
        from josi.inputs import InputError

        user_errors += (InputError,)
    except ImportError:
        pass
    return isinstance(err, user_errors)
