"""Knowledge stage: `josi knowledge check|build` (josi.knowledge.cli). Card parsing itself lives in josi.core.cards."""
