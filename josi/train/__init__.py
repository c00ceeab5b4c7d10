"""Train stage: LoRA fine-tuning (`josi train`) and LoRA sweeps (`josi sweep`). Imports only josi.core."""
