"""Export stage: write an F16 GGUF from a Hugging Face Llama checkpoint with the `gguf` package
(no llama.cpp checkout).

Place in the pipeline: josi.export, above gguf_io; called by cli. Imports josi.core and
josi.export.gguf_io only (gguf, safetensors, transformers lazily), never the checks: what a check must
expect of the file (head_dim, pre_tokenizer_name) is read from gguf_io by both sides.

    write_f16_gguf(checkpoint_dir, "model-f16.gguf")

Three things differ from a plain copy of the weights:
- Q and K projections are permuted from HF's rotate-half rotary layout to llama.cpp's interleaved one
  (K with n_head_kv heads). Forgetting this gives fluent-looking garbage, which is why the export
  checks logits against transformers afterwards.
- Tied embeddings: `output.weight` is omitted when the checkpoint ties it to the embeddings; llama.cpp
  then reuses `token_embd.weight`. An untied checkpoint gets its `lm_head` written.
- Tokenizer: the byte-level BPE tokens, merges and token types, the special ids and the chat template
  all come from the training tokenizer (`josi.core.models.load_tokenizer`), so the GGUF speaks the same
  ChatML as training did. `tokenizer.ggml.pre` names the llama.cpp pre-tokenizer that splits text
  like the HF one ("smollm" for SmolLM2's hub tokenizer). Weights stream one tensor at a time.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from josi.core.gguf import GGUFError
from josi.export.gguf_io import head_dim, pre_tokenizer_name


@dataclass(frozen=True)
class WriteResult:
    tensors: int
    tied_embeddings: bool
    vocab_size: int
    parameters: int


def permute_for_rope(weight: np.ndarray, n_heads: int) -> np.ndarray:
    """Rows of each head go from [first halves | second halves] (HF) to interleaved pairs (llama.cpp)."""
    rows = weight.shape[0]
    return weight.reshape(n_heads, 2, rows // n_heads // 2, *weight.shape[1:]).swapaxes(1, 2).reshape(weight.shape)


def rope_theta(config) -> float:
    params = getattr(config, "rope_parameters", None) or {}
    if params.get("rope_type", "default") != "default":
        raise GGUFError(config.name_or_path, f"rope scaling {params['rope_type']!r} is not supported by this exporter")
    return float(params.get("rope_theta", getattr(config, "rope_theta", 10000.0)))


def load_llama_config(checkpoint: Path):
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(checkpoint)
    if config.model_type != "llama":
        raise GGUFError(checkpoint, f"model_type {config.model_type!r}: only Llama-architecture checkpoints can be exported")
    if getattr(config, "attention_bias", False) or getattr(config, "mlp_bias", False):
        raise GGUFError(checkpoint, "attention or MLP biases are not supported by this exporter")
    return config


def add_hyperparameters(writer, config, name: str) -> None:
    import gguf

    writer.add_name(name)
    writer.add_context_length(config.max_position_embeddings)
    writer.add_embedding_length(config.hidden_size)
    writer.add_block_count(config.num_hidden_layers)
    writer.add_feed_forward_length(config.intermediate_size)
    writer.add_head_count(config.num_attention_heads)
    writer.add_head_count_kv(config.num_key_value_heads)
    writer.add_rope_dimension_count(head_dim(config))
    if head_dim(config) != config.hidden_size // config.num_attention_heads:
        writer.add_key_length(head_dim(config))
        writer.add_value_length(head_dim(config))
    writer.add_rope_freq_base(rope_theta(config))
    writer.add_layer_norm_rms_eps(config.rms_norm_eps)
    writer.add_vocab_size(config.vocab_size)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    writer.add_quantization_version(gguf.GGML_QUANT_VERSION)


def tokenizer_tables(tokenizer, vocab_size: int) -> tuple[list[str], list[int], list[str]]:
    """Tokens and types by id (padded to the model's vocab size), and the BPE merges."""
    import gguf

    model = json.loads(tokenizer.backend_tokenizer.to_str())["model"]
    if model["type"] != "BPE":
        raise GGUFError(tokenizer.name_or_path, f"tokenizer model {model['type']!r}: only byte-level BPE is supported")
    by_id = {index: token for token, index in tokenizer.get_vocab().items()}
    if max(by_id) >= vocab_size:
        raise GGUFError(tokenizer.name_or_path, f"tokenizer has id {max(by_id)} but the model's vocab_size is {vocab_size}")
    added = tokenizer.added_tokens_decoder
    tokens, types = [], []
    for index in range(vocab_size):
        if index not in by_id:
            tokens.append(f"[PAD{index}]")
            types.append(gguf.TokenType.UNUSED)
        elif index in added:
            tokens.append(by_id[index])
            types.append(gguf.TokenType.CONTROL if added[index].special else gguf.TokenType.USER_DEFINED)
        else:
            tokens.append(by_id[index])
            types.append(gguf.TokenType.NORMAL)
    merges = [merge if isinstance(merge, str) else " ".join(merge) for merge in model["merges"]]
    return tokens, types, merges


def add_tokenizer(writer, tokenizer, vocab_size: int, pre_tokenizer: str) -> None:
    tokens, types, merges = tokenizer_tables(tokenizer, vocab_size)
    if not tokenizer.chat_template:
        raise GGUFError(tokenizer.name_or_path, "the tokenizer has no chat template; the GGUF would fall back to llama-2 format")
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(pre_tokenizer_name(tokenizer) if pre_tokenizer == "auto" else pre_tokenizer)
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(merges)
    for add, token_id in ((writer.add_bos_token_id, tokenizer.bos_token_id), (writer.add_eos_token_id, tokenizer.eos_token_id),
                          (writer.add_pad_token_id, tokenizer.pad_token_id), (writer.add_unk_token_id, tokenizer.unk_token_id)):
        if token_id is not None:
            add(token_id)
    # Whether plain tokenization adds BOS/EOS, read off the tokenizer itself rather than assumed.
    ids = tokenizer("a")["input_ids"]
    writer.add_add_bos_token(tokenizer.bos_token_id is not None and ids[0] == tokenizer.bos_token_id)
    writer.add_add_eos_token(tokenizer.eos_token_id is not None and ids[-1] == tokenizer.eos_token_id)
    writer.add_chat_template(tokenizer.chat_template)


@dataclass(frozen=True)
class TensorPlan:
    gguf_name: str
    hf_name: str
    file: Path
    shape: tuple[int, ...]  # numpy (HF) order; GGUF stores it reversed

    @property
    def dtype(self):
        return np.float32 if len(self.shape) == 1 else np.float16  # norms stay F32, as llama.cpp expects


def plan_tensors(checkpoint: Path, config) -> list[TensorPlan]:
    import gguf
    from safetensors import safe_open

    files = sorted(checkpoint.glob("*.safetensors"))
    if not files:
        raise GGUFError(checkpoint, "no *.safetensors files: save the merged model with safe_serialization=True")
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, config.num_hidden_layers)
    plan = []
    for file in files:
        with safe_open(file, framework="pt") as handle:
            for hf_name in handle.keys():
                if hf_name.endswith("rotary_emb.inv_freq") or (hf_name == "lm_head.weight" and config.tie_word_embeddings):
                    continue
                gguf_name = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
                if gguf_name is None:
                    raise GGUFError(file, f"tensor {hf_name!r} has no llama.cpp name")
                shape = tuple(handle.get_slice(hf_name).get_shape())
                plan.append(TensorPlan(gguf_name, hf_name, file, shape))
    if not config.tie_word_embeddings and "output.weight" not in {p.gguf_name for p in plan}:
        raise GGUFError(checkpoint, "tie_word_embeddings is false but the checkpoint has no lm_head.weight")
    return sorted(plan, key=lambda p: tensor_order(p.gguf_name))


def tensor_order(name: str) -> tuple:
    """token_embd, then blocks in numeric order, then output_norm and output (llama.cpp's own order)."""
    if name.startswith("blk."):
        return (1, int(name.split(".")[1]), name)
    return (0 if name.startswith("token_embd") else 2, 0, name)


def load_tensor(item: TensorPlan, config) -> np.ndarray:
    from safetensors import safe_open

    with safe_open(item.file, framework="pt") as handle:
        weight = handle.get_tensor(item.hf_name).float().numpy()
    if item.hf_name.endswith("self_attn.q_proj.weight"):
        weight = permute_for_rope(weight, config.num_attention_heads)
    elif item.hf_name.endswith("self_attn.k_proj.weight"):
        weight = permute_for_rope(weight, config.num_key_value_heads)
    return weight.astype(item.dtype)


def write_f16_gguf(checkpoint: Path | str, path: Path | str, *, pre_tokenizer: str = "auto",
                   name: str | None = None, progress: bool = False) -> WriteResult:
    """HF checkpoint directory -> F16 GGUF at path (the caller makes the write atomic)."""
    import gguf
    from tqdm import tqdm

    from josi.core.models import load_tokenizer

    checkpoint = Path(checkpoint)
    config = load_llama_config(checkpoint)
    tokenizer = load_tokenizer(str(checkpoint))
    plan = plan_tensors(checkpoint, config)

    writer = gguf.GGUFWriter(path, arch=gguf.MODEL_ARCH_NAMES[gguf.MODEL_ARCH.LLAMA])
    try:
        add_hyperparameters(writer, config, name or checkpoint.name)
        add_tokenizer(writer, tokenizer, config.vocab_size, pre_tokenizer)
        for item in plan:
            nbytes = int(np.prod(item.shape)) * np.dtype(item.dtype).itemsize
            writer.add_tensor_info(item.gguf_name, item.shape, np.dtype(item.dtype), nbytes)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_ti_data_to_file()
        for item in tqdm(plan, desc="writing F16 GGUF", unit="tensor", disable=not progress):
            writer.write_tensor_data(load_tensor(item, config))
    finally:
        writer.close()
    return WriteResult(tensors=len(plan), tied_embeddings=bool(config.tie_word_embeddings),
                       vocab_size=config.vocab_size, parameters=sum(int(np.prod(p.shape)) for p in plan))
