"""Knowledge stage: `josi knowledge check|build` (josi.knowledge.cli). Card parsing itself lives in josi.core.cards.

Place in the pipeline: knowledge stage, the first; imports josi.core only.
"""
