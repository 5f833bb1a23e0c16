"""Imports a Hugging Face checkpoint (safetensors) into the project's model format: model.onnx
(+ model.onnx.data when over 2 GB), tokenizer.json, chat_template.jinja and <name>.manifest.json,
as docs/import-contract.md fixes them. numpy + onnx only (Debian: python3-numpy python3-onnx).

  /usr/bin/python3 scripts/hf_import/import_hf.py HF_DIR --out DIR [--role policy|prm|revision]
      [--prm-format qwen-prm|math-shepherd|skywork|rlhflow] [--layout shared|concat]
      [--dtype float16|bfloat16|float32] [--max-positions N] [--label-token-ids A,B] [--name NAME]
      [--system-prompt-file FILE] [--pretraining-tokens N]

Refused, with the file and field named: architectures other than LlamaForCausalLM,
Qwen2ForCausalLM, MistralForCausalLM, Qwen2ForProcessRewardModel, Qwen2ForPrmModel; rope types
other than default/llama3; hidden_act other than silu; a sliding window shorter than the asked
context; any checkpoint tensor the graph would not use (lm_head.weight of a PRM whose head does not
read it excepted). Details: docs/models.md.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_config  # noqa: E402
import hf_files  # noqa: E402
import onnx_graphs  # noqa: E402
from safetensors_reader import Checkpoint, CheckpointError, bf16_to_float32, float32_to_bf16  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
# ONNX's protobuf cannot exceed 2 GiB: past this (less room for the graph itself) the weights go to
# model.onnx.data.
EXTERNAL_OVER = 2**31 - 2**26
# Tests set a small threshold to exercise external data on tiny checkpoints.
EXTERNAL_OVER_ENV = "IMPORT_HF_EXTERNAL_OVER"

# prm format -> (head, the architecture whose checkpoint carries it or None for any causal LM, manifest "prm")
PRM_FORMATS = {
    "qwen-prm": ("two_class", "Qwen2ForProcessRewardModel",
                 {"format": "qwen-prm", "head": "two_class", "output": "logits", "label_index": 1,
                  "input": "chat", "separator_token": "<extra_0>"}),
    "math-shepherd": ("token_logits", None,
                      {"format": "math-shepherd", "head": "token_logits", "output": "logits", "label_index": 0,
                       "input": "plain", "step_tag": "ки", "good_token": "+", "bad_token": "-"}),
    "skywork": ("value", "Qwen2ForPrmModel",
                {"format": "skywork", "head": "value", "output": "scores", "input": "per_step", "step_token": "\n"}),
    "rlhflow": ("token_logits", None,
                {"format": "rlhflow", "head": "token_logits", "output": "logits", "label_index": 0,
                 "input": "chat_turns", "good_token": "+", "bad_token": "-"}),
}
# The format a causal LM imported as a PRM gets when --prm-format is left out.
DEFAULT_PRM_FORMAT = {"Qwen2ForProcessRewardModel": "qwen-prm", "Qwen2ForPrmModel": "skywork",
                      "MistralForCausalLM": "math-shepherd", "LlamaForCausalLM": "rlhflow"}
HEAD_PREFIX = {"two_class": "score", "value": "v_head.summary"}
# Same as docs/model-format.md's example; imported revision models have no format of their own.
DEFAULT_REVISION = {"max_attempts": 4, "attempt_template": "Attempt:\n{attempt}\n\n", "attempt_step_joiner": "\n",
                    "revision_prefix": "Revision:\n\n"}


class ImportFailure(Exception):
    pass


def resolve_role(spec: hf_config.ModelSpec, role: str | None, prm_format: str | None) -> tuple[str, str | None]:
    if role is None:
        role = "prm" if spec.checkpoint_head or prm_format else "policy"
    if role not in ("policy", "prm", "revision"):
        raise ImportFailure(f"--role {role}: not one of policy, prm, revision")
    if role != "prm":
        if spec.checkpoint_head:
            raise ImportFailure(f"config.json: field 'architectures': {spec.architecture} is a PRM; --role {role} needs a causal LM")
        if prm_format:
            raise ImportFailure(f"--prm-format {prm_format} is for --role prm, not {role}")
        return role, None
    fmt = prm_format or DEFAULT_PRM_FORMAT[spec.architecture]
    if fmt not in PRM_FORMATS:
        raise ImportFailure(f"--prm-format {fmt}: not one of {', '.join(PRM_FORMATS)}")
    head, arch, _ = PRM_FORMATS[fmt]
    if arch is not None and spec.architecture != arch:
        raise ImportFailure(f"config.json: field 'architectures': --prm-format {fmt} needs {arch}, the checkpoint is {spec.architecture}")
    if arch is None and spec.checkpoint_head:
        raise ImportFailure(f"config.json: field 'architectures': --prm-format {fmt} reads a causal LM's logits; "
                            f"{spec.architecture} has its own head (use --prm-format {DEFAULT_PRM_FORMAT[spec.architecture]})")
    return role, fmt


def resolve_max_positions(spec: hf_config.ModelSpec, asked: int | None, log) -> int:
    limit = spec.max_position_embeddings
    w = spec.sliding_window
    if w is not None and w < (asked or limit):
        if asked is not None:
            raise ImportFailure(f"config.json: field 'sliding_window': {w} is shorter than --max-positions {asked}; "
                                f"the graphs attend to the whole context, so at most {w} positions can be served")
        log(f"sliding_window {w} < max_position_embeddings {limit}: max_positions = {w} (the window never slides)")
        return w
    if asked is not None and asked > limit:
        raise ImportFailure(f"--max-positions {asked} exceeds config.json's max_position_embeddings {limit}")
    return asked or limit


def expected_tensors(spec: hf_config.ModelSpec, role: str, head: str | None) -> dict[str, tuple[int, ...]]:
    """Every tensor the graph reads, with the shape config.json implies."""
    H, V, I, d = spec.hidden_size, spec.vocab_size, spec.intermediate_size, spec.head_dim
    q, kv = spec.num_heads * d, spec.num_kv_heads * d
    t: dict[str, tuple[int, ...]] = {"model.embed_tokens.weight": (V, H), "model.norm.weight": (H,)}
    for i in range(spec.num_layers):
        p = f"model.layers.{i}."
        t.update({p + "input_layernorm.weight": (H,), p + "post_attention_layernorm.weight": (H,),
                  p + "self_attn.q_proj.weight": (q, H), p + "self_attn.k_proj.weight": (kv, H),
                  p + "self_attn.v_proj.weight": (kv, H), p + "self_attn.o_proj.weight": (H, q),
                  p + "mlp.gate_proj.weight": (I, H), p + "mlp.up_proj.weight": (I, H), p + "mlp.down_proj.weight": (H, I)})
        if spec.qkv_bias:
            t.update({p + "self_attn.q_proj.bias": (q,), p + "self_attn.k_proj.bias": (kv,), p + "self_attn.v_proj.bias": (kv,)})
        if spec.o_bias:
            t[p + "self_attn.o_proj.bias"] = (H,)
    if (role != "prm" or head == "token_logits") and not spec.tie_word_embeddings:
        t["lm_head.weight"] = (V, H)
    if head == "two_class":
        t.update({"score.0.weight": (H, H), "score.0.bias": (H,), "score.2.weight": (2, H), "score.2.bias": (2,)})
    elif head == "value":
        t.update({"v_head.summary.weight": (1, H), "v_head.summary.bias": (1,)})
    return t


def check_tensors(ckpt: Checkpoint, spec: hf_config.ModelSpec, want: dict[str, tuple[int, ...]], head: str | None) -> None:
    """Before any graph is built: every tensor present with its shape, none left over. Tied
    lm_head copies and saved rotary buffers are checked against what the graph uses, then counted
    as read."""
    for name, shape in want.items():
        if not ckpt.has(name):
            raise ImportFailure(f"{ckpt.folder}: tensor '{name}' missing (config.json implies it: {spec.architecture}, "
                                f"tie_word_embeddings {str(spec.tie_word_embeddings).lower()})")
        if tuple(ckpt.shape(name)) != shape:
            raise ImportFailure(f"{ckpt.folder}: tensor '{name}' has shape {list(ckpt.shape(name))}, config.json implies {list(shape)}")
    for name in ckpt.names():
        if name in want:
            continue
        if name == "lm_head.weight" and spec.tie_word_embeddings and tuple(ckpt.shape(name)) == want["model.embed_tokens.weight"]:
            if not np.array_equal(ckpt.get(name), ckpt.get("model.embed_tokens.weight")):
                raise ImportFailure(f"{ckpt.folder}: tensor 'lm_head.weight' differs from model.embed_tokens.weight, "
                                    f"but config.json field 'tie_word_embeddings' is true")
            continue
        if name == "lm_head.weight" and head in ("two_class", "value"):
            continue   # the contract's one exception: a PRM head that never reads the LM head
        if name.endswith("rotary_emb.inv_freq"):   # per layer (older Llama) or model.rotary_emb
            saved = ckpt.get(name)
            # A checkpoint saved in bf16/fp16 rounded its buffers too: compare at the stored precision.
            ref = {"BF16": lambda x: bf16_to_float32(float32_to_bf16(x)), "F16": lambda x: x.astype(np.float16).astype(np.float32),
                   "F32": lambda x: x}[ckpt.dtype(name)](spec.inv_freq)
            if saved.shape != ref.shape or not np.allclose(saved, ref, rtol=1e-2 if ckpt.dtype(name) != "F32" else 1e-5, atol=0):
                raise ImportFailure(f"{ckpt.folder}: tensor '{name}' (saved rotary frequencies) differs from the ones "
                                    f"config.json's rope settings give")
            continue
        raise ImportFailure(f"{ckpt.folder}: tensor '{name}' is not used by the {spec.architecture} graph; "
                            f"refusing to drop it silently")


def import_checkpoint(hf_dir: str, out: str, role: str | None = None, prm_format: str | None = None,
                      layout: str | None = None, dtype: str = "float16", max_positions: int | None = None,
                      label_token_ids: tuple[int, int] | None = None, name: str | None = None,
                      system_prompt_file: str | None = None, pretraining_tokens: int | None = None,
                      external_over: int | None = None, log=print) -> str:
    """Returns the manifest's path."""
    t0 = time.time()
    hf_dir = os.path.abspath(hf_dir)
    config_path = os.path.join(hf_dir, "config.json")
    if not os.path.exists(config_path):
        raise ImportFailure(f"{config_path}: not found (HF_DIR must be a checkpoint folder)")
    spec = hf_config.load_config(config_path)
    role, fmt = resolve_role(spec, role, prm_format)
    head = PRM_FORMATS[fmt][0] if fmt else None
    if dtype == "bfloat16":
        raise ImportFailure("--dtype bfloat16: not supported yet: the engine reads float32 and float16 KV caches "
                            "only; use --dtype float16 (GPU) or float32 (CPU)")
    if dtype not in ("float16", "float32"):
        raise ImportFailure(f"--dtype {dtype}: not one of float16, bfloat16, float32")
    if role == "prm":
        # concat: the plain PRM graph (CPU). shared: the same graph taking and returning a KV cache, so
        # candidates that share a problem and earlier steps score that prefix once (GPU; kv_cache "prefix").
        layout = layout or ("concat" if dtype == "float32" else "shared")
        if layout not in ("shared", "concat"):
            raise ImportFailure(f"--layout {layout}: not one of shared, concat")
    else:
        layout = layout or ("concat" if dtype == "float32" else "shared")
        if layout not in ("shared", "concat"):
            raise ImportFailure(f"--layout {layout}: not one of shared, concat")
    if head == "token_logits":
        if label_token_ids is None:
            raise ImportFailure(f"--prm-format {fmt} needs --label-token-ids A,B (the good and bad tokens' ids, "
                                f"as the model card's tokenizer gives them)")
        for t in label_token_ids:
            if not 0 <= t < spec.vocab_size:
                raise ImportFailure(f"--label-token-ids: {t} is outside the vocabulary (vocab_size {spec.vocab_size})")
    elif label_token_ids is not None:
        raise ImportFailure("--label-token-ids is only for the token_logits PRM formats (math-shepherd, rlhflow)")
    max_pos = resolve_max_positions(spec, max_positions, log)

    ckpt = Checkpoint(hf_dir)
    vocab = hf_files.Vocabulary(os.path.join(hf_dir, "tokenizer.json"))
    tok_cfg = hf_files.read_json(os.path.join(hf_dir, "tokenizer_config.json"), required=False)
    gen_cfg = hf_files.read_json(os.path.join(hf_dir, "generation_config.json"), required=False)
    template = hf_files.chat_template(hf_dir, tok_cfg)
    want = expected_tensors(spec, role, head)
    check_tensors(ckpt, spec, want, head)
    params = sum(int(np.prod(s)) for n, s in want.items() if not (n == "lm_head.weight" and head == "token_logits"))
    if head == "token_logits" and not spec.tie_word_embeddings:
        params += 2 * spec.hidden_size   # the two rows of the LM head the graph keeps

    # Tokens the manifest names, resolved before the long part.
    eos_ids = hf_files.stop_ids(gen_cfg, spec.eos_token_ids, hf_dir)
    stop_tokens = [vocab.token(i, "generation_config.json eos_token_id") for i in eos_ids]
    bos = hf_files.special_token(tok_cfg, "bos_token") or (
        vocab.token(spec.bos_token_id, "config.json bos_token_id") if spec.bos_token_id is not None else None)
    eos = hf_files.special_token(tok_cfg, "eos_token") or stop_tokens[0]
    pad = hf_files.special_token(tok_cfg, "pad_token") or eos
    if bos is None:
        raise ImportFailure(f"{hf_dir}: no bos token (tokenizer_config.json bos_token and config.json bos_token_id are both missing)")
    for tok, field in ((bos, "bos_token"), (eos, "eos_token"), (pad, "pad_token")):
        if tok not in vocab.to_id:
            raise ImportFailure(f"{os.path.join(hf_dir, 'tokenizer_config.json')}: field '{field}': '{tok}' is not in tokenizer.json")
    prm_obj = None
    if fmt:
        prm_obj = dict(PRM_FORMATS[fmt][2])
        if head == "token_logits":
            prm_obj["label_token_ids"] = list(label_token_ids)
        if "separator_token" in prm_obj and prm_obj["separator_token"] not in vocab.to_id:
            raise ImportFailure(f"{os.path.join(hf_dir, 'tokenizer.json')}: the {fmt} separator token "
                                f"'{prm_obj['separator_token']}' is not in the vocabulary")

    # ---- the graph
    os.makedirs(out, exist_ok=True)
    onnx_path = os.path.join(out, "model.onnx")
    data_path = onnx_path + ".data"
    if os.path.exists(data_path):
        os.remove(data_path)
    itemsize = 2 if dtype == "float16" else 4
    rope = 2 * max_pos * spec.head_dim * itemsize
    estimate = params * itemsize + rope
    if external_over is None:
        external_over = int(os.environ.get(EXTERNAL_OVER_ENV, EXTERNAL_OVER))
    external = onnx_graphs.ExternalData(data_path) if estimate > external_over else None

    def get(n: str, dtype=np.float32) -> np.ndarray:
        if n not in want:
            raise AssertionError(f"graph builder read '{n}', which expected_tensors() does not list")
        return ckpt.get(n, dtype)

    log(f"{spec.architecture} -> {role}{' ' + fmt if fmt else ''}, {dtype}, "
        f"{('prefix-sharing cache' if layout == 'shared' else 'no KV cache') if role == 'prm' else layout + ' layout'}, {params / 1e6:.1f}M parameters, "
        f"max_positions {max_pos}{', external data' if external else ''}")
    try:
        if role == "prm":
            prm = onnx_graphs.PrmHead(head, prefix=HEAD_PREFIX.get(head, ""), label_token_ids=label_token_ids,
                                      past=layout == "shared")
            model = onnx_graphs.build_decoder(get, spec, dtype, max_positions=max_pos, prm=prm, external=external)
        elif layout == "shared":
            model = onnx_graphs.build_gqa_decoder(get, spec, dtype, max_positions=max_pos, external=external)
        else:
            model = onnx_graphs.build_decoder(get, spec, dtype, logits="last", max_positions=max_pos, external=external)
    finally:
        if external:
            external.close()
    unread = sorted(set(want) - ckpt.used)
    if unread:
        raise AssertionError(f"expected tensors the graph never read: {unread[:5]}")
    onnx_graphs.save(model, onnx_path)
    del model

    # ---- tokenizer, template, manifest
    shutil.copyfile(os.path.join(hf_dir, "tokenizer.json"), os.path.join(out, "tokenizer.json"))
    if template is not None:
        with open(os.path.join(out, "chat_template.jinja"), "w", encoding="utf-8") as f:
            f.write(template)
    if system_prompt_file is None:
        system_prompt_file = os.path.join(HERE, "system_prompt.txt")
    with open(system_prompt_file, encoding="utf-8") as f:
        system_prompt = f.read().rstrip("\n")
    with open(config_path, "rb") as f:
        config_sha = hashlib.sha256(f.read()).hexdigest()
    name = name or os.path.basename(hf_dir.rstrip("/"))
    manifest = {
        "name": name,
        "role": role,
        "onnx": "model.onnx",
        "tokenizer": {"kind": "hf-json", "file": "tokenizer.json"},
        "bos_token": bos, "eos_token": eos, "pad_token": pad,
        "stop_tokens": stop_tokens,
        "add_bos": False,
        **({"chat_template": "chat_template.jinja"} if template is not None else {}),
        "system_prompt": system_prompt,
        "prompt_template": "{problem}",
        "step_delimiter": "\n\n",
        "num_layers": spec.num_layers, "num_heads": spec.num_heads, "num_kv_heads": spec.num_kv_heads,
        "head_size": spec.head_dim, "hidden_size": spec.hidden_size, "vocab_size": spec.vocab_size,
        "max_positions": max_pos, "parameter_count": params,
        "dtype": dtype,
        **({"logits": "last", "kv_cache": layout} if role != "prm" else {"kv_cache": "prefix"} if layout == "shared" else {}),
        "source": {"architecture": spec.architecture, "checkpoint": hf_dir, "config_sha256": config_sha,
                   "torch_dtype": spec.torch_dtype},
        "pretraining_tokens": pretraining_tokens,
        "prm": prm_obj,
        **({"revision": DEFAULT_REVISION} if role == "revision" else {}),
    }
    manifest_path = os.path.join(out, f"{name}.manifest.json")
    with open(manifest_path, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False)
        f.write("\n")
    size = os.path.getsize(onnx_path) + (os.path.getsize(data_path) if external else 0)
    log(f"wrote {manifest_path} ({size / 2**20:.1f} MiB of ONNX, {time.time() - t0:.1f}s)")
    return manifest_path


def _label_ids(text: str) -> tuple[int, int]:
    try:
        a, b = (int(x) for x in text.split(","))
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"'{text}' is not two ids A,B") from e
    return a, b


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("hf_dir")
    ap.add_argument("--out", required=True)
    ap.add_argument("--role", choices=["policy", "prm", "revision"])
    ap.add_argument("--prm-format", choices=list(PRM_FORMATS))
    ap.add_argument("--layout", choices=["shared", "concat"], help="decoders: default shared for float16, concat for float32")
    ap.add_argument("--dtype", default="float16", choices=["float16", "bfloat16", "float32"])
    ap.add_argument("--max-positions", type=int)
    ap.add_argument("--label-token-ids", type=_label_ids, help="token_logits PRMs: ids of the good and bad tokens, A,B")
    ap.add_argument("--name")
    ap.add_argument("--system-prompt-file")
    ap.add_argument("--pretraining-tokens", type=int)
    a = ap.parse_args(argv)
    try:
        import_checkpoint(a.hf_dir, a.out, role=a.role, prm_format=a.prm_format, layout=a.layout, dtype=a.dtype,
                          max_positions=a.max_positions, label_token_ids=a.label_token_ids, name=a.name,
                          system_prompt_file=a.system_prompt_file, pretraining_tokens=a.pretraining_tokens)
    except (ImportFailure, hf_config.ConfigError, CheckpointError, hf_files.CheckpointFileError) as e:
        print(f"import_hf: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
