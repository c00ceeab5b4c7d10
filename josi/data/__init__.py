"""Data stage: the reproducible SFT dataset (`josi data build|stats|measure`, josi.data.cli).

Place in the pipeline: after the cards and gold, before training. Imports josi.core and josi.data only.
"""
