"""`python -m josi.train` and `accelerate launch -m josi.train`: the same flags and errors as `josi train`."""
import sys

from josi.train.run import main

sys.exit(main())
