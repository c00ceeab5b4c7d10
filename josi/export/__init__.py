"""Export stage: merge a LoRA adapter (`josi merge`), write and validate GGUF (`josi export`).

Imports only josi.core and its own modules, layered bottom to top (each imports only those below it):

    gguf_io        rules the writer and the checks share (reading a GGUF is josi.core.gguf)
    reference      the built-in reference corpus and the Reference cache of HF-side outputs
    gguf_write     HF checkpoint -> F16 GGUF
    gguf_checks    the four checks (metadata, tokenizer, prompts, outputs) and check_all
    cli            `josi export` / `python -m josi.export`: write, quantize, validate, manifests
    merge          `josi merge` / `python -m josi.export.merge`: LoRA + base -> HF checkpoint
"""
