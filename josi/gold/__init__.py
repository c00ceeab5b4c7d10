"""Gold stage: `josi gold check|stats|merge` (josi.gold.cli). The records themselves live in josi.core.gold."""
