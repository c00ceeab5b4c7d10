"""`python -m josi.train` and `accelerate launch -m josi.train`: the same flags and errors as `josi train`."""
import sys

from josi.core.command import main_for
from josi.train import run

sys.exit(main_for("train", run))
