"""Train stage: LoRA fine-tuning (`josi train`) and LoRA sweeps (`josi sweep`). Imports only josi.core.

Modules, in the order a run uses them: config (TrainConfig and where each value comes from), data
(rows -> token ids and labels), rundir (what a run writes, how it resumes), trainer and loss (trl's
SFTTrainer), callbacks (decision metrics at every evaluation), run (`josi train`: the six phases),
sweep (`josi sweep`: one `josi train` per arm of a grid file).
"""
