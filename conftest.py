"""Top-level pytest options for the eval layers (evals/). Unit tests in tests/ ignore them.

Tracebacks for the gate's one-line errors: JOSI_DEBUG=1 or pytest's own --debug (see evals/conftest.py).
"""

from josi.eval.backends import MODEL_KINDS as MODEL_CHOICES


def pytest_addoption(parser):
    group = parser.getgroup("josi evals")
    group.addoption("--model", choices=MODEL_CHOICES, default=None,
                    help="which artifact to evaluate: fp16 (base HF checkpoint), merged (LoRA-merged HF), gguf (quantized file)")
    group.addoption("--model-path", default=None,
                    help="a specific checkpoint directory or .gguf file for --model; --model=gguf defaults to the release, "
                         "artifacts/release/josi-q4_k_m.gguf (josi release build), and never falls back to the untrained base: "
                         "'embedded' selects the embedded base model (scripted:FILE.json: canned answers, for the plugin's tests)")
    group.addoption("--grammar", choices=("on", "off"), default="on", help="GGUF only: LLMIntent JSON-schema constrained decoding")
    group.addoption("--profile", choices=("ci", "full"), default="ci", help="how many hypothesis-generated I6 violations to run")
    group.addoption("--baseline", default=None, help="REPORT.json: also fail on a significant regression against it "
                                                     "(a baseline adds a gate, it never waives the thresholds)")
    group.addoption("--gate", choices=("ship", "no-worse"), default="ship",
                    help="ship (default): exit 0 only on PASS. no-worse (CI, needs --baseline): exit 0 when nothing is "
                         "worse than the baseline (no regression, no new hard-check failure, no threshold the baseline "
                         "met now failed); the ship verdict is still reported as it is")
    group.addoption("--no-cache", action="store_true", help="ignore cached generations and generate afresh")
    group.addoption("--generations-dir", default=None,
                    help="where new generations are cached (default: the user cache); the release's gate run writes "
                         "release/generations, which every run then reads (read-only) for that exact GGUF")
    group.addoption("--threads", type=int, default=2,
                    help="CPU threads for generation; use 1 when other work shares a 2-core machine (llama.cpp slows sharply when oversubscribed)")
    group.addoption("--report-dir", default="reports", help="where the JSON and Markdown reports go (relative to the repository): "
                         "eval-<model>-<layers>-<sha12>-<time>.json/.md per run, plus eval-<model>-<layers>.json/.md as the latest copy")
