#!/usr/bin/python3
"""Writes the small ONNX graphs and tokenizer files the engine tests load.

Run from anywhere with Debian's python3-onnx: `/usr/bin/python3 tests/Inference.Tests/Fixtures/make_fixtures.py`.
The outputs are committed; rerunning reproduces them byte for byte.

Why these graphs: the bundled tiny PRM has a value head only, so the two other PRM head kinds
(two-class at a separator, good/bad token logits at a step tag) need models of their own. Their
logits are a running sum of per-token embeddings (CumSum), so every score depends on the whole
prefix and on the exact position the engine reads: a test recomputes the same arithmetic in C#.
The "script" decoder emits a fixed token table indexed by position_ids, so stop conditions
(delimiter, EOS, token limit, step limit) can be tested end to end through the real generator.
"""
import json
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# GPT-2's byte alphabet, from the tiny models' task code (plain Python, no torch)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "models", "tiny-arith", "train"))
from task import bytes_to_unicode  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SPECIALS = ["<|endoftext|>", "<extra_0>", "ки"]
VOCAB_SIZE = 256 + len(SPECIALS)
EOS = 256


def write_tokenizer():
    enc = bytes_to_unicode()
    vocab = {enc[b]: b for b in range(256)}
    for i, s in enumerate(SPECIALS):
        vocab[s] = 256 + i
    with open(os.path.join(HERE, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False, indent=0, sort_keys=True)
    with open(os.path.join(HERE, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")


def embedding(rows, cols):
    """E[i, c] = sin(1.7 i + 0.3 c + 0.1), rounded to 4 places; the tests use the same formula."""
    e = np.zeros((rows, cols), dtype=np.float32)
    for i in range(rows):
        for c in range(cols):
            e[i, c] = round(math.sin(1.7 * i + 0.3 * c + 0.1), 4)
    return e


def save(graph, name):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="make_fixtures.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, name))


def prm_graph(name, cols, output, value_head):
    ids = helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"])
    mask = helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"])
    e = numpy_helper.from_array(embedding(VOCAB_SIZE, cols), "E")
    axis = numpy_helper.from_array(np.array(1, dtype=np.int64), "axis1")
    nodes = [
        helper.make_node("Gather", ["E", "input_ids"], ["g"]),
        helper.make_node("CumSum", ["g", "axis1"], ["c"]),
    ]
    inits = [e, axis]
    if value_head:
        inits.append(numpy_helper.from_array(np.array([2], dtype=np.int64), "axis2"))
        nodes += [helper.make_node("Squeeze", ["c", "axis2"], ["c2"]), helper.make_node("Sigmoid", ["c2"], [output])]
        out = helper.make_tensor_value_info(output, TensorProto.FLOAT, ["batch", "seq"])
    else:
        nodes[-1] = helper.make_node("CumSum", ["g", "axis1"], [output])
        out = helper.make_tensor_value_info(output, TensorProto.FLOAT, ["batch", "seq", cols])
    # attention_mask is declared (every PRM takes it) but unused: the engine pads on the right, and
    # right padding cannot change a causal running sum before it.
    graph = helper.make_graph(nodes, name, [ids, mask], [out], inits)
    save(graph, name + ".onnx")


SCRIPT = "12+3=15\n\n15*2=30\n\nThe answer is $\\boxed{30}$.\n\n"
SCRIPT_POSITIONS = 512


def script_table():
    """Token to emit after the token at each position: the script's bytes, then EOS, repeated."""
    seq = list(SCRIPT.encode("utf-8")) + [EOS]
    return np.array([seq[p % len(seq)] for p in range(SCRIPT_POSITIONS)], dtype=np.int64)


def script_decoder(name="script_decoder", half=False, last_only=False):
    """half: float16 KV cache and logits (the layout of fp16 GPU exports); last_only: logits for the
    last position only, [batch, 1, vocab] (manifest "logits": "last")."""
    ft = TensorProto.FLOAT16 if half else TensorProto.FLOAT
    ins = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
        helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "total"]),
        helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["batch", "seq"]),
        helper.make_tensor_value_info("past_key_values.0.key", ft, ["batch", 1, "past", 1]),
        helper.make_tensor_value_info("past_key_values.0.value", ft, ["batch", 1, "past", 1]),
    ]
    outs = [
        helper.make_tensor_value_info("logits", ft, ["batch", 1 if last_only else "seq", VOCAB_SIZE]),
        helper.make_tensor_value_info("present.0.key", ft, ["batch", 1, "total", 1]),
        helper.make_tensor_value_info("present.0.value", ft, ["batch", 1, "total", 1]),
    ]
    inits = [
        numpy_helper.from_array(script_table(), "table"),
        numpy_helper.from_array(np.array(VOCAB_SIZE, dtype=np.int64), "depth"),
        numpy_helper.from_array(np.array([0.0, 10.0], dtype=np.float16 if half else np.float32), "onehot_values"),
        numpy_helper.from_array(np.array([1, 3], dtype=np.int64), "kv_axes"),
        numpy_helper.from_array(np.array([-1], dtype=np.int64), "last_start"),
        numpy_helper.from_array(np.array([2**62], dtype=np.int64), "last_end"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "seq_axis"),
    ]
    nodes = [helper.make_node("Gather", ["table", "position_ids"], ["next_all"])]
    if last_only:
        nodes.append(helper.make_node("Slice", ["next_all", "last_start", "last_end", "seq_axis"], ["next"]))
    else:
        nodes.append(helper.make_node("Identity", ["next_all"], ["next"]))
    nodes += [
        helper.make_node("OneHot", ["next", "depth", "onehot_values"], ["logits"], axis=-1),
        helper.make_node("Cast", ["input_ids"], ["ids_f"], to=ft),
        helper.make_node("Unsqueeze", ["ids_f", "kv_axes"], ["kv_new"]),
        helper.make_node("Concat", ["past_key_values.0.key", "kv_new"], ["present.0.key"], axis=2),
        helper.make_node("Concat", ["past_key_values.0.value", "kv_new"], ["present.0.value"], axis=2),
    ]
    save(helper.make_graph(nodes, name, ins, outs, inits), name + ".onnx")


def manifest(name, role, onnx_file, layers=1, heads=1, head_size=1, prm=None, dtype="float32", logits="all"):
    m = {
        "name": name, "role": role, "onnx": onnx_file,
        "tokenizer": {"kind": "gpt2-bpe", "vocab": "vocab.json", "merges": "merges.txt"},
        "bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>", "pad_token": "<|endoftext|>",
        "add_bos": True, "prompt_template": "{problem}\n\n", "step_delimiter": "\n\n",
        "num_layers": layers, "num_heads": heads, "num_kv_heads": heads, "head_size": head_size,
        "hidden_size": heads * head_size, "vocab_size": VOCAB_SIZE, "max_positions": SCRIPT_POSITIONS,
        "parameter_count": 1000, "dtype": dtype, "logits": logits, "prm": prm, "revision": None,
    }
    with open(os.path.join(HERE, name + ".manifest.json"), "w", encoding="utf-8") as f:
        json.dump(m, f, ensure_ascii=False, indent=2)
        f.write("\n")


if __name__ == "__main__":
    write_tokenizer()
    prm_graph("prm_value", 1, "scores", value_head=True)
    prm_graph("prm_two_class", 2, "logits", value_head=False)
    prm_graph("prm_token_logits", VOCAB_SIZE, "logits", value_head=False)
    script_decoder()
    script_decoder("script_decoder_fp16_last", half=True, last_only=True)
    manifest("script_decoder", "policy", "script_decoder.onnx")
    manifest("script_decoder_fp16_last", "policy", "script_decoder_fp16_last.onnx", dtype="float16", logits="last")
    manifest("prm_value", "prm", "prm_value.onnx", prm={"head": "value", "output": "scores"})
    manifest("prm_two_class", "prm", "prm_two_class.onnx",
             prm={"head": "two_class", "output": "logits", "separator_token": "<extra_0>"})
    manifest("prm_token_logits", "prm", "prm_token_logits.onnx",
             prm={"head": "token_logits", "output": "logits", "step_tag": "ки", "good_token": "+", "bad_token": "-"})
