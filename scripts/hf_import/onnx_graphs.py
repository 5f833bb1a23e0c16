"""Builds Llama / Qwen2 / Mistral decoders and PRMs as ONNX graphs straight from a state dict
(Hugging Face names). The one graph builder of the project: scripts/gpu/qwen2_onnx.py re-exports it.

Why by hand instead of torch.onnx.export: the exporter changed defaults between torch versions and
traces transformers' cache classes differently per version; a graph we write ourselves is the same
everywhere, needs no torch, uses only ops ONNX Runtime runs on CPU and CUDA, and lets us pick the
layout that keeps a GPU busy:
- q/k/v fused into one MatMul, gate/up into another; the 1/sqrt(head_size) scale folded into the
  query weights (a power of two for head size 64 and 256, so exact in fp16);
- grouped-query attention without copying K/V per query head: queries of one KV head are reshaped
  into the rows of a single batched MatMul;
- softmax in float32 (as Hugging Face does) over a mask built once per call from attention_mask;
- logits only for the last position by default: a policy only samples from it.
The three architectures differ only in biases (Qwen2: q/k/v; Llama: optional attention_bias),
head size (explicit head_dim), the rotary frequencies (Llama 3 scaling, applied to inv_freq before
the tables are built) and tied embeddings; ModelSpec (hf_config.py) carries all of it.
Layouts of inputs/outputs: docs/model-format.md and docs/import-contract.md.

Weights come through `get(name[, dtype]) -> array` (float32 unless asked), read one tensor at a
time, and each initializer can go straight to an external data file as it is made (ExternalData):
a 7B model is never in memory whole.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from hf_config import ModelSpec

INT64_MAX = 9223372036854775807
PRODUCER = "scripts/hf_import/onnx_graphs.py"


class ExternalData:
    """Writes initializers into one ONNX external-data file as they are created, each at a
    page-aligned offset; the TensorProto keeps only location/offset/length. Tensors under
    `min_bytes` stay inline (shape constants and the like)."""

    ALIGN = 4096

    def __init__(self, path: str, min_bytes: int = 1024):
        self.path = path
        self.location = os.path.basename(path)
        self.min_bytes = min_bytes
        self._f = open(path, "wb")
        self.bytes = 0

    def tensor(self, name: str, array: np.ndarray) -> onnx.TensorProto:
        array = np.ascontiguousarray(array)
        pad = -self._f.tell() % self.ALIGN
        if pad:
            self._f.write(b"\0" * pad)
        offset = self._f.tell()
        array.tofile(self._f)   # raw little-endian, the layout ONNX external data wants
        t = onnx.TensorProto()
        t.name = name
        t.data_type = helper.np_dtype_to_tensor_dtype(array.dtype) if hasattr(helper, "np_dtype_to_tensor_dtype") \
            else onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[array.dtype]
        t.dims.extend(array.shape)
        t.data_location = TensorProto.EXTERNAL
        for k, v in (("location", self.location), ("offset", str(offset)), ("length", str(array.nbytes))):
            entry = t.external_data.add()
            entry.key, entry.value = k, v
        self.bytes += array.nbytes
        return t

    def close(self) -> None:
        self._f.close()


class Graph:
    """Small helper that names nodes and keeps initializers."""

    def __init__(self, float_type: int, external: ExternalData | None = None):
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.float_type = float_type
        self.np_float = np.float16 if float_type == TensorProto.FLOAT16 else np.float32
        self.external = external
        self._n = 0

    def name(self, hint: str) -> str:
        self._n += 1
        return f"{hint}_{self._n}"

    def init(self, name: str, array: np.ndarray) -> str:
        if self.external is not None and array.nbytes >= self.external.min_bytes:
            self.inits.append(self.external.tensor(name, array))
        else:
            self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def const_i64(self, values: list[int]) -> str:
        return self.init(self.name("c"), np.array(values, dtype=np.int64))

    def op(self, op_type: str, inputs: list[str], n_out: int = 1, domain: str = "", outputs=None,
           **attrs) -> list[str] | str:
        outs = outputs or [self.name(op_type.lower()) for _ in range(n_out)]
        self.nodes.append(helper.make_node(op_type, inputs, outs, name=self.name(op_type),
                                           domain=domain, **attrs))
        return outs[0] if n_out == 1 and outputs is None else outs


@dataclass
class PrmHead:
    """The head of a PRM graph (docs/import-contract.md):
    value: `scores` [b, s] = sigmoid(hidden · w + b), weights `{prefix}.weight` [1, h] / `{prefix}.bias`;
    two_class: `logits` [b, s, 2] = `{prefix}.2`(ReLU(`{prefix}.0`(hidden)));
    token_logits: `logits` [b, s, 2] = hidden · lm_head rows `label_token_ids` (Math-Shepherd, RLHFlow).
    positions: "input" (position_ids is a graph input) or "cumsum" (computed from attention_mask:
    the layout of scripts/gpu/export_qwen2.py's value-head PRM).
    past: the graph also takes past_key_values.* and returns present.* in the concat layout, so a
    candidate can be scored after a copy of its shared prefix's cache (manifest kv_cache "prefix")."""
    kind: str
    prefix: str = ""
    label_token_ids: tuple[int, int] | None = None
    positions: str = "input"
    past: bool = False


# get(name) -> float32 array; get(name, np.float16) -> float16 (the reader converts big tables in blocks).
Weights = Callable[..., np.ndarray]


def rope_tables(max_positions: int, inv_freq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # Same arithmetic as transformers' rotary embedding: float32 angles, cos/sin cast later.
    freqs = np.outer(np.arange(max_positions, dtype=np.float32), inv_freq.astype(np.float32))
    emb = np.concatenate([freqs, freqs], axis=-1)
    return np.cos(emb).astype(np.float32), np.sin(emb).astype(np.float32)


def rotate_half_matrix(head_size: int) -> np.ndarray:
    """x @ R == rotate_half(x) == cat(-x2, x1): entries are 0/±1, so the product is exact."""
    half = head_size // 2
    r = np.zeros((head_size, head_size), dtype=np.float32)
    for i in range(half):
        r[i + half, i] = -1.0   # out[i] = -x[i+half]
        r[i, i + half] = 1.0    # out[i+half] = x[i]
    return r


def _float_type(dtype: str) -> int:
    if dtype not in ("float16", "float32"):
        raise ValueError(f"dtype '{dtype}' is not supported by the graph builder (float16 or float32)")
    return TensorProto.FLOAT16 if dtype == "float16" else TensorProto.FLOAT


def _fused_qkv(w: Weights, s: ModelSpec, p: str, scale: float | None) -> tuple[np.ndarray, np.ndarray | None]:
    """[hidden, (nh+2kvh)*d] weights (queries scaled when `scale`) and the matching bias, or None."""
    wq = w(p + "self_attn.q_proj.weight")
    if scale is not None:
        wq = wq * scale
    wqkv = np.concatenate([wq, w(p + "self_attn.k_proj.weight"), w(p + "self_attn.v_proj.weight")], axis=0).T
    if not s.qkv_bias:
        return wqkv, None
    bq = w(p + "self_attn.q_proj.bias")
    if scale is not None:
        bq = bq * scale
    return wqkv, np.concatenate([bq, w(p + "self_attn.k_proj.bias"), w(p + "self_attn.v_proj.bias")])


def _head_matrix(w: Weights, s: ModelSpec, g: Graph) -> str:
    """The LM head [vocab, hidden] for Gemm(transB=1): a tied head reads the embedding table in place."""
    if s.tie_word_embeddings:
        return "embed_tokens"
    return g.init("lm_head", w("lm_head.weight", g.np_float))


def build_decoder(w: Weights, s: ModelSpec, dtype: str = "float16", logits: str = "last",
                  logits_dtype: str | None = None, max_positions: int | None = None, prm: PrmHead | None = None,
                  external: ExternalData | None = None, graph_name: str | None = None,
                  producer: str = PRODUCER) -> onnx.ModelProto:
    """The concat layout (decoder with past, docs/model-format.md), or with `prm` a PRM graph of the
    same layers: without KV cache (right padding, causal), or with `prm.past` taking and returning
    the cache as the decoder does (its mask row may have holes: a row's past comes from its parent's)."""
    cache = prm is None or prm.past
    if prm is not None and prm.past and prm.positions != "input":
        raise ValueError("a PRM graph with a past needs position_ids as an input")
    g = Graph(_float_type(dtype), external)
    ft, npf = g.float_type, g.np_float
    L, nh, kvh, hidden, d, inter, vocab, eps = (s.num_layers, s.num_heads, s.num_kv_heads, s.hidden_size, s.head_dim,
                                                s.intermediate_size, s.vocab_size, s.rms_norm_eps)
    groups = nh // kvh
    scale = np.float32(1.0 / np.sqrt(d))   # float32: numpy 2 would widen the query weights to float64
    max_pos = int(max_positions or s.max_position_embeddings)

    # ---- inputs
    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
              helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "total_seq"])]
    if prm is None or prm.positions == "input":
        inputs.append(helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["batch", "seq"]))
    if cache:
        for i in range(L):
            for kv in ("key", "value"):
                inputs.append(helper.make_tensor_value_info(f"past_key_values.{i}.{kv}", ft,
                                                            ["batch", kvh, "past_seq", d]))
    outputs: list[onnx.ValueInfoProto] = []

    # ---- shapes and the additive attention mask, computed once per call
    ids_shape = g.op("Shape", ["input_ids"])
    mask_shape = g.op("Shape", ["attention_mask"])
    b_dim = g.op("Gather", [ids_shape, g.const_i64([0])], axis=0)
    s_dim = g.op("Gather", [ids_shape, g.const_i64([1])], axis=0)
    t_dim = g.op("Gather", [mask_shape, g.const_i64([1])], axis=0)
    s_scalar = g.op("Squeeze", [s_dim, g.const_i64([0])])
    t_scalar = g.op("Squeeze", [t_dim, g.const_i64([0])])
    p_scalar = g.op("Sub", [t_scalar, s_scalar])
    one = g.init(g.name("one"), np.array(1, dtype=np.int64))
    zero = g.init(g.name("zero"), np.array(0, dtype=np.int64))
    k_idx = g.op("Range", [zero, t_scalar, one])                          # [T]
    q_idx = g.op("Range", [p_scalar, t_scalar, one])                      # [S], absolute positions
    causal = g.op("LessOrEqual", [g.op("Unsqueeze", [k_idx, g.const_i64([0])]),
                                  g.op("Unsqueeze", [q_idx, g.const_i64([1])])])  # [S,T]
    pad = g.op("Cast", ["attention_mask"], to=TensorProto.BOOL)
    pad5 = g.op("Unsqueeze", [pad, g.const_i64([1, 2, 3])])               # [B,1,1,1,T]
    allowed = g.op("And", [causal, pad5])                                 # [B,1,1,S,T]
    # -1e9, not -inf: a fully masked row (a left-pad query) must stay finite, not NaN.
    bias = g.op("Where", [allowed, g.init(g.name("zero_f"), np.array(0.0, dtype=np.float32)),
                          g.init(g.name("neg_f"), np.array(-1e9, dtype=np.float32))])
    attn_mask = g.op("Squeeze", [allowed, g.const_i64([1])]) if prm is not None and prm.past else None   # [B,1,S,T]
    shape5 = g.op("Concat", [b_dim, g.const_i64([kvh, groups]), s_dim, t_dim], axis=0)
    shape4 = g.op("Concat", [b_dim, g.const_i64([kvh, -1]), t_dim], axis=0)

    if prm is not None and prm.positions == "cumsum":
        # Positions of a left-padded row count real tokens only (docs/model-format.md).
        cums = g.op("CumSum", ["attention_mask", g.init(g.name("ax1"), np.array(1, dtype=np.int64))])
        position_ids = g.op("Max", [g.op("Sub", [cums, one]), zero])   # Relu has no int64 kernel
    else:
        position_ids = "position_ids"

    cos_t, sin_t = rope_tables(max_pos, s.inv_freq)
    cos = g.op("Unsqueeze", [g.op("Gather", [g.init("rope_cos", cos_t.astype(npf)), position_ids], axis=0),
                             g.const_i64([1])])                           # [B,1,S,d]
    sin = g.op("Unsqueeze", [g.op("Gather", [g.init("rope_sin", sin_t.astype(npf)), position_ids], axis=0),
                             g.const_i64([1])])
    del cos_t, sin_t
    rot = g.init("rope_rotate_half", rotate_half_matrix(d).astype(npf))

    x = g.op("Gather", [g.init("embed_tokens", w("model.embed_tokens.weight", npf)), "input_ids"], axis=0)
    qkv_heads = nh + 2 * kvh
    for i in range(L):
        p = f"model.layers.{i}."
        h = g.op("SimplifiedLayerNormalization", [x, g.init(f"l{i}.ln1", w(p + "input_layernorm.weight").astype(npf))],
                 axis=-1, epsilon=eps, stash_type=1)
        wqkv, bqkv = _fused_qkv(w, s, p, scale)
        qkv = g.op("MatMul", [h, g.init(f"l{i}.wqkv", wqkv.astype(npf))])
        del wqkv
        if bqkv is not None:
            qkv = g.op("Add", [qkv, g.init(f"l{i}.bqkv", bqkv.astype(npf))])   # [B,S,(nh+2kvh)*d]
        qkv = g.op("Transpose", [g.op("Reshape", [qkv, g.const_i64([0, 0, qkv_heads, d])])], perm=[0, 2, 1, 3])
        qk, v = g.op("Split", [qkv, g.const_i64([nh + kvh, kvh])], n_out=2, axis=1)
        qk = g.op("Add", [g.op("Mul", [qk, cos]), g.op("Mul", [g.op("MatMul", [qk, rot]), sin])])
        q, k = g.op("Split", [qk, g.const_i64([nh, kvh])], n_out=2, axis=1)
        if prm is not None and prm.past:
            # ONNX's Attention (opset 23): grouped-query attention over past + new keys with an explicit
            # boolean mask (holes included), fused on CUDA (memory-efficient attention); it returns the
            # presents itself. The queries carry the 1/sqrt(head_size) scale already.
            y, _, _ = g.op("Attention", [q, k, v, attn_mask, f"past_key_values.{i}.key", f"past_key_values.{i}.value"],
                           outputs=[g.name("attn"), f"present.{i}.key", f"present.{i}.value"], n_out=3,
                           q_num_heads=nh, kv_num_heads=kvh, scale=1.0, is_causal=0)
            for kv in ("key", "value"):
                outputs.append(helper.make_tensor_value_info(f"present.{i}.{kv}", ft, ["batch", kvh, "total_seq", d]))
            ctx = g.op("Reshape", [g.op("Transpose", [y], perm=[0, 2, 1, 3]), g.const_i64([0, 0, nh * d])])
        else:
            if not cache:
                k_all, v_all = k, v
            else:
                k_all = g.op("Concat", [f"past_key_values.{i}.key", k], axis=2, outputs=[f"present.{i}.key"])[0]
                v_all = g.op("Concat", [f"past_key_values.{i}.value", v], axis=2, outputs=[f"present.{i}.value"])[0]
                for kv in ("key", "value"):
                    outputs.append(helper.make_tensor_value_info(f"present.{i}.{kv}", ft, ["batch", kvh, "total_seq", d]))
            # Heads h*groups..(h+1)*groups-1 share KV head h (transformers' repeat_kv order), so a reshape
            # lines their queries up as rows against one K/V: no copy of K/V per query head.
            qg = g.op("Reshape", [q, g.const_i64([0, kvh, -1, d])])           # [B,kvh,G*S,d]
            scores = g.op("MatMul", [qg, g.op("Transpose", [k_all], perm=[0, 1, 3, 2])])  # [B,kvh,G*S,T]
            scores = g.op("Add", [g.op("Cast", [g.op("Reshape", [scores, shape5])], to=TensorProto.FLOAT), bias])
            probs = g.op("Cast", [g.op("Softmax", [scores], axis=-1)], to=ft)
            ctx = g.op("MatMul", [g.op("Reshape", [probs, shape4]), v_all])   # [B,kvh,G*S,d]
            ctx = g.op("Transpose", [g.op("Reshape", [ctx, g.const_i64([0, nh, -1, d])])], perm=[0, 2, 1, 3])
            ctx = g.op("Reshape", [ctx, g.const_i64([0, 0, nh * d])])
        attn = g.op("MatMul", [ctx, g.init(f"l{i}.wo", w(p + "self_attn.o_proj.weight").T.astype(npf))])
        if s.o_bias:
            attn = g.op("Add", [attn, g.init(f"l{i}.bo", w(p + "self_attn.o_proj.bias").astype(npf))])
        x = g.op("Add", [x, attn])
        h = g.op("SimplifiedLayerNormalization", [x, g.init(f"l{i}.ln2", w(p + "post_attention_layernorm.weight").astype(npf))],
                 axis=-1, epsilon=eps, stash_type=1)
        wgu = np.concatenate([w(p + "mlp.gate_proj.weight"), w(p + "mlp.up_proj.weight")], axis=0).T
        gu = g.op("MatMul", [h, g.init(f"l{i}.wgu", wgu.astype(npf))])
        del wgu
        gate, up = g.op("Split", [gu, g.const_i64([inter, inter])], n_out=2, axis=-1)
        act = g.op("Mul", [g.op("Mul", [gate, g.op("Sigmoid", [gate])]), up])
        x = g.op("Add", [x, g.op("MatMul", [act, g.init(f"l{i}.wd", w(p + "mlp.down_proj.weight").T.astype(npf))])])

    x = g.op("SimplifiedLayerNormalization", [x, g.init("final_norm", w("model.norm.weight").astype(npf))],
             axis=-1, epsilon=eps, stash_type=1)

    if prm is not None:
        head_outputs: list = []
        _prm_output(g, w, s, prm, x, head_outputs)
        outputs[:0] = head_outputs   # the scores first, then the presents
    else:
        if logits == "last":
            x = g.op("Slice", [x, g.const_i64([-1]), g.const_i64([INT64_MAX]), g.const_i64([1])])  # [B,1,H]
        flat = g.op("Reshape", [x, g.const_i64([-1, hidden])])
        # Gemm with transB reads the [vocab, hidden] table in place: a tied head costs no second copy.
        head = _head_matrix(w, s, g)
        lg = g.op("Gemm", [flat, head], transB=1)                          # [B*S', V]
        out_ft = ft if logits_dtype in (None, dtype) else (TensorProto.FLOAT if logits_dtype == "float32" else TensorProto.FLOAT16)
        lg_shape = g.op("Concat", [b_dim, g.const_i64([-1, vocab])], axis=0)
        lg = g.op("Reshape", [lg, lg_shape])
        if out_ft != ft:
            lg = g.op("Cast", [lg], to=out_ft)
        g.op("Identity", [lg], outputs=["logits"])
        outputs.insert(0, helper.make_tensor_value_info("logits", out_ft, ["batch", "logits_seq", vocab]))

    name = graph_name or (f"{s.family}_prm" if prm is not None else f"{s.family}_decoder")
    graph = helper.make_graph(g.nodes, name, inputs, outputs, g.inits)
    opset = 23 if prm is not None and prm.past else 17   # Attention is an opset-23 op
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name=producer)
    model.ir_version = 8  # readable by ONNX Runtime 1.14+ and by onnx 1.12 here
    return model


def _prm_output(g: Graph, w: Weights, s: ModelSpec, prm: PrmHead, x: str, outputs: list) -> None:
    npf = g.np_float
    if prm.kind == "value":
        val = g.op("Add", [g.op("MatMul", [x, g.init("score_w", w(prm.prefix + ".weight").T.astype(npf))]),
                           g.init("score_b", w(prm.prefix + ".bias").astype(npf))])     # [B,S,1]
        sc = g.op("Sigmoid", [g.op("Cast", [g.op("Squeeze", [val, g.const_i64([2])])], to=TensorProto.FLOAT)])
        g.op("Identity", [sc], outputs=["scores"])
        outputs.append(helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["batch", "seq"]))
        return
    if prm.kind == "two_class":
        h = g.op("Add", [g.op("MatMul", [x, g.init("score0_w", w(prm.prefix + ".0.weight").T.astype(npf))]),
                         g.init("score0_b", w(prm.prefix + ".0.bias").astype(npf))])
        h = g.op("Relu", [h])
        lg = g.op("Add", [g.op("MatMul", [h, g.init("score2_w", w(prm.prefix + ".2.weight").T.astype(npf))]),
                          g.init("score2_b", w(prm.prefix + ".2.bias").astype(npf))])   # [B,S,2]
    elif prm.kind == "token_logits":
        a, b = prm.label_token_ids
        table = w("model.embed_tokens.weight" if s.tie_word_embeddings else "lm_head.weight")
        rows = table[[a, b]].T.astype(npf)                                              # [H,2]
        del table
        lg = g.op("MatMul", [x, g.init("label_head", rows)])
    else:
        raise ValueError(f"unknown PRM head '{prm.kind}'")
    g.op("Cast", [lg], to=TensorProto.FLOAT, outputs=["logits"])
    outputs.append(helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "seq", 2]))


def build_gqa_decoder(w: Weights, s: ModelSpec, dtype: str = "float16", max_positions: int | None = None,
                      external: ExternalData | None = None, graph_name: str | None = None,
                      producer: str = PRODUCER) -> onnx.ModelProto:
    """The same decoder in the shared-buffer layout (docs/model-format.md, "kv_cache": "shared")
    built from ONNX Runtime's fused contrib ops, the layout a GPU wants:
    - GroupQueryAttention (flash attention on CUDA) with rotary inside, on packed QKV, writing each
      row's new keys/values in place into a preallocated [batch, kv_heads, max_seq, head] buffer that
      is both past input and present output: no cache is copied or concatenated per step;
    - SkipSimplifiedLayerNormalization: residual add + RMSNorm in one kernel;
    - every shape constant, no Shape/Range ops: all nodes run on the GPU, so ONNX Runtime can capture
      a decode step as a CUDA graph and replay it (static shapes, fixed buffers);
    - the hidden state of one position per row (`last_index`, flat index into batch*seq) goes through
      the LM head, and `next_token` = ArgMax of its logits: a greedy step reads back 8 bytes a row.
    Rows are right-padded: row b's cache holds its own tokens at positions 0..seqlens_k[b], so
    rows of different lengths need no mask and no padding inside the cache.
    """
    g = Graph(_float_type(dtype), external)
    ft, npf = g.float_type, g.np_float
    L, nh, kvh, hidden, d, inter, vocab, eps = (s.num_layers, s.num_heads, s.num_kv_heads, s.hidden_size, s.head_dim,
                                                s.intermediate_size, s.vocab_size, s.rms_norm_eps)
    max_pos = int(max_positions or s.max_position_embeddings)

    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
              helper.make_tensor_value_info("seqlens_k", TensorProto.INT32, ["batch"]),
              helper.make_tensor_value_info("total_sequence_length", TensorProto.INT32, []),
              helper.make_tensor_value_info("last_index", TensorProto.INT64, ["batch"])]
    outputs = [helper.make_tensor_value_info("logits", ft, ["batch", vocab]),
               helper.make_tensor_value_info("next_token", TensorProto.INT64, ["batch"])]
    for i in range(L):
        for kv in ("key", "value"):
            inputs.append(helper.make_tensor_value_info(f"past_key_values.{i}.{kv}", ft, ["batch", kvh, "max_seq", d]))
            outputs.append(helper.make_tensor_value_info(f"present.{i}.{kv}", ft, ["batch", kvh, "max_seq", d]))

    cos_t, sin_t = rope_tables(max_pos, s.inv_freq)
    cos = g.init("rope_cos", cos_t[:, : d // 2].astype(npf))             # [max_pos, d/2]
    sin = g.init("rope_sin", sin_t[:, : d // 2].astype(npf))
    del cos_t, sin_t

    x = g.op("Gather", [g.init("embed_tokens", w("model.embed_tokens.weight", npf)), "input_ids"], axis=0)
    h = g.op("SimplifiedLayerNormalization", [x, g.init("l0.ln1", w("model.layers.0.input_layernorm.weight").astype(npf))],
             axis=-1, epsilon=eps, stash_type=1)
    # GroupQueryAttention scales by 1/sqrt(head_size) itself.
    for i in range(L):
        p = f"model.layers.{i}."
        wqkv, bqkv = _fused_qkv(w, s, p, None)
        qkv = g.op("MatMul", [h, g.init(f"l{i}.wqkv", wqkv.astype(npf))])
        del wqkv
        if bqkv is not None:
            qkv = g.op("Add", [qkv, g.init(f"l{i}.bqkv", bqkv.astype(npf))])
        attn = g.op("GroupQueryAttention",
                    [qkv, "", "", f"past_key_values.{i}.key", f"past_key_values.{i}.value", "seqlens_k",
                     "total_sequence_length", cos, sin],
                    outputs=[g.name("attn"), f"present.{i}.key", f"present.{i}.value"], n_out=3, domain="com.microsoft",
                    num_heads=nh, kv_num_heads=kvh, do_rotary=1, rotary_interleaved=0)[0]
        o = g.op("MatMul", [attn, g.init(f"l{i}.wo", w(p + "self_attn.o_proj.weight").T.astype(npf))])
        if s.o_bias:
            o = g.op("Add", [o, g.init(f"l{i}.bo", w(p + "self_attn.o_proj.bias").astype(npf))])
        # outputs: normalized, (mean), (inv_std_var), input + skip
        h, _, _, x = g.op("SkipSimplifiedLayerNormalization",
                          [x, o, g.init(f"l{i}.ln2", w(p + "post_attention_layernorm.weight").astype(npf))],
                          outputs=[g.name("h"), "", "", g.name("x")], n_out=4, domain="com.microsoft", epsilon=eps)
        wgu = np.concatenate([w(p + "mlp.gate_proj.weight"), w(p + "mlp.up_proj.weight")], axis=0).T
        gu = g.op("MatMul", [h, g.init(f"l{i}.wgu", wgu.astype(npf))])
        del wgu
        gate, up = g.op("Split", [gu, g.const_i64([inter, inter])], n_out=2, axis=-1)
        act = g.op("Mul", [g.op("Mul", [gate, g.op("Sigmoid", [gate])]), up])
        down = g.op("MatMul", [act, g.init(f"l{i}.wd", w(p + "mlp.down_proj.weight").T.astype(npf))])
        gamma = (g.init(f"l{i + 1}.ln1", w(f"model.layers.{i + 1}.input_layernorm.weight").astype(npf)) if i + 1 < L
                 else g.init("final_norm", w("model.norm.weight").astype(npf)))
        h, _, _, x = g.op("SkipSimplifiedLayerNormalization", [x, down, gamma],
                          outputs=[g.name("h"), "", "", g.name("x")], n_out=4, domain="com.microsoft", epsilon=eps)

    last = g.op("Gather", [g.op("Reshape", [h, g.const_i64([-1, hidden])]), "last_index"], axis=0)   # [B,H]
    head = _head_matrix(w, s, g)
    g.op("Gemm", [last, head], transB=1, outputs=["logits"])
    g.op("ArgMax", ["logits"], axis=1, keepdims=0, outputs=["next_token"])

    graph = helper.make_graph(g.nodes, graph_name or f"{s.family}_decoder_gqa", inputs, outputs, g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)],
                              producer_name=producer)
    model.ir_version = 8
    return model


def save(model: onnx.ModelProto, path: str) -> None:
    """Writes the graph; initializers already in an external file (ExternalData) stay there."""
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
