"""Core: runtime choices shared by training and merging: how many CPU threads, and where a base lives.

Place in the pipeline: below every stage; `josi train` and `josi merge` both load a base model and run
torch on it. Imports the standard library and josi.core.models (torch only inside `cpu_threads`).
"""
from __future__ import annotations

import os


def cpu_threads(requested: int = 0) -> int:
    """torch CPU threads: `requested`, or (0) the cores other processes leave free, at least one.

    On a shared CPU, OpenMP threads that outnumber the free cores wait on each other at every barrier:
    on this 2-core machine under load 3, one thread ran a 135M training step in 11-15 s, two in 52-65 s.
    """
    import torch

    if requested > 0:
        return requested
    if torch.cuda.is_available():
        return torch.get_num_threads()
    cores = os.cpu_count() or 1
    others = os.getloadavg()[0]  # measured before this process starts computing
    return max(1, min(cores, cores - int(others + 0.5)))


def resolve_base(base: str) -> str:
    """The checkpoint directory of a base; josi.core.models.resolve owns the rule that a path which does not
    exist is reported as a missing directory (ModelNotFound), not looked up as a hub id."""
    from josi.core.models import resolve

    return resolve(base).checkpoint
