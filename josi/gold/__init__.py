"""Gold stage: `josi gold check|stats|merge` (josi.gold.cli). The records themselves live in josi.core.gold.

Place in the pipeline: gold stage, after the cards and before the dataset; imports josi.core only.
"""
