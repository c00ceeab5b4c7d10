"""`python -m josi.export`: the same flags and errors as `josi export` (`python -m josi.export.merge` is `josi merge`).

Place in the pipeline: the export stage's module entry. Imports josi.core.command and josi.export.cli only.
"""
import sys

from josi.core.command import main_for
from josi.export import cli

sys.exit(main_for("export", cli))
