#!/usr/bin/env bash
# The whole Josi pipeline, in order: read it as the table of contents, run it to rebuild everything.
#
#   ./runbook.sh                 # smoke budget: every stage end to end on the embedded 135M
#   BUDGET=full ./runbook.sh     # all rows, 3 epochs (many hours on the 2-core dev CPU; minutes on a GPU)
#   CONFIG=configs/release-135m.toml RUN=runs/release-135m ./runbook.sh   # the release run (~1.5 h here)
#   GATE="-k routing" ./runbook.sh   # pass pytest selection flags to the gate (default: every case)
#
# Times are wall clock on the 2-core dev CPU (AMD EPYC, no GPU) with nothing else running, for the
# smoke budget unless noted; docs/<stage>.md has the conditions and the commands behind each figure.
# Every stage prints its config first and writes a manifest (inputs' hashes, config, libraries, git SHA).
# Run inside the venv (python3 bootstrap.py creates it; then `. .venv/bin/activate`).
set -euo pipefail
cd "$(dirname "$0")"
export HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
BUDGET=${BUDGET:-smoke}
RUN=${RUN:-runs/runbook-$BUDGET}
GATE=${GATE:-}
CONFIG=${CONFIG:-}
step() { printf '\n== %s  (%s)\n' "$1" "$(date +%H:%M:%S)" >&2; }

# 1. Knowledge cards (knowledge/*.md): every constant lives there; parse and check them.    ~2 s
step "1. knowledge cards"
josi knowledge check

# 2. Gold examples (gold/*.jsonl): the quality bar, the held-out part, no near-duplicates.   ~40 s
step "2. gold"
josi gold check

# 3. Dataset (josi/data): cards + gold -> train/val/test JSONL + manifest, byte-reproducible. ~20-45 s
step "3. dataset"
josi data build --out artifacts/data
josi data stats --out artifacts/data        # balance rules (exit 1 if one fails) and the dataset v2 targets
josi data voice --out artifacts/data        # the four voices with markers and closers stripped (exit 1 below target)
# Before calling a build good, read rows as the athlete would: josi data sample --n 40 --seed <any>

# 4. LoRA training (josi/train): smoke ~2-3 min (6 steps); full ~16 h here (docs/training.md).
#    The best checkpoint is chosen on decoded decisions, loss only breaks ties.
step "4. train ($BUDGET)"
if [ -f "$RUN/config.json" ] && [ ! -f "$RUN/summary.json" ]; then
  josi train --resume "$RUN"                       # a killed run continues from its last checkpoint
elif [ ! -f "$RUN/summary.json" ] && [ -n "$CONFIG" ]; then
  josi train --config "$CONFIG" --data artifacts/data --out "$RUN"
elif [ ! -f "$RUN/summary.json" ]; then
  josi train --budget "$BUDGET" --data artifacts/data --out "$RUN"
fi

# 5. Merge the adapter into the base (josi/export/merge.py), with a logit parity check.       ~1 min
step "5. merge"
josi merge --adapter "$RUN/adapter" --out artifacts/merged

# 6. GGUF export (josi/export): F16 + q4_k_m, each validated (metadata, tokenizer, prompt and
#    output parity) before it is written.                                                 ~10-14 min
step "6. export"
josi export --checkpoint artifacts/merged --out artifacts/gguf/josi

# 7. The ship gate (evals/): the contract layer on this run's quantized GGUF. Exit 0 only on PASS.
#    About 2-3 s a case with 2 threads; a re-run on the same GGUF is served from the cache.
step "7. ship gate"
# shellcheck disable=SC2086  # GATE holds pytest flags, split on purpose
pytest evals -m contract --model=gguf --model-path artifacts/gguf/josi/josi-q4_k_m.gguf $GATE

# 8. Make this run the release (only when it should ship): release/ gets the fp16 adapter, the run's
#    records and the sha256 of each GGUF; then gate the release itself into release/reports/ and
#    commit release/. Anyone then rebuilds the same bytes with `josi release build` (~3 min).
#      josi release pack "$RUN"
#      pytest evals --model=gguf --report-dir release/reports \      # all three layers, q4_k_m
#        --generations-dir release/generations                      # its answers travel with it (docs/release.md)
