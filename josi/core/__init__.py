"""Core: every card-derived rule, in one home each. Stages import core; core imports no stage.

Where a rule lives:
- cards.py      knowledge cards -> typed tables (the one source of every constant)
- facts.py      typed facts: zones, readiness and its cap (`allowed_zones`, `cap`), personas, vocabulary
- context.py    ChatContext (the model's input) and `sample_context`, the one example context
- contract/     LLMIntent schema, cross-field rules, `validate`, the decision of an answer, token budget
- prompt.py     the one prompt builder (training, evaluation and the app)
- checks/       judges `check(response, case) -> Finding` and `registry.py`, the one list of them
- gold.py       gold records, the held-out split and the gold bar
- dedup.py      exact and near-duplicate text detection
- models.py     model names -> checkpoints and tokenizers
- io.py, manifest.py, paths.py   atomic writes, hashes, user errors; manifests; where things live

Place in the pipeline: core, below every stage; imports only josi.core.
"""
