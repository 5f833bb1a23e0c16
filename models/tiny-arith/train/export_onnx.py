"""Export the policies, revision model and PRM to ONNX (opset 17, TorchScript exporter), and write the
tokenizer files and one manifest per model (format: docs/model-format.md).

Weights are stored in fp16 inside the graph: every float32 initializer that fp16 holds exactly (all
trained weights: checkpoints are fp16) becomes an fp16 initializer followed by a Cast to float32, so
the graph's inputs and outputs stay float32 and ONNX Runtime folds the casts once at session load
(constant folding): the file is half the size and the CPU runs the same float32 kernels as before.

    python3 export_onnx.py --work WORK_DIR --out models/tiny-arith [--random]

--random exports freshly initialised weights of the final architecture (for engine development).
"""
import argparse
import inspect
import json
import os

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper

import model as M
import task

REVISION = {"max_attempts": 4, "attempt_template": "Attempt:\n{attempt}\n\n", "attempt_step_joiner": "\n",
            "revision_prefix": "Revision:\n\n"}


class DecoderWithPast(torch.nn.Module):
    def __init__(self, gpt):
        super().__init__()
        self.gpt = gpt

    def forward(self, input_ids, attention_mask, position_ids, *past_flat):
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(len(past_flat) // 2)]
        logits, presents = self.gpt(input_ids, attention_mask, position_ids, past)
        flat = []
        for k, v in presents:
            flat += [k, v]
        return (logits, *flat)


class PrmScores(torch.nn.Module):
    def __init__(self, gpt):
        super().__init__()
        self.gpt = gpt

    def forward(self, input_ids, attention_mask):
        return self.gpt.scores(input_ids, attention_mask)


def _export(module, args, path, input_names, output_names, dynamic_axes):
    kw = {}
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kw["dynamo"] = False  # torch 2.x: keep the TorchScript exporter that torch 1.13 uses
    torch.onnx.export(module, args, path, input_names=input_names, output_names=output_names,
                      dynamic_axes=dynamic_axes, opset_version=17, do_constant_folding=True, **kw)


def fp16_initializers(path):
    """Rewrites path in place: exactly representable float32 initializers -> fp16 + Cast(to float32).
    -> (initializers converted, kept in float32)."""
    m = onnx.load(path)
    g = m.graph
    casts, keep, converted = [], [], 0
    for init in list(g.initializer):
        if init.data_type != onnx.TensorProto.FLOAT:
            continue
        arr = numpy_helper.to_array(init)
        half = arr.astype(np.float16)
        if arr.size < 16 or not np.array_equal(half.astype(np.float32), arr):
            keep.append(init.name)
            continue
        name = init.name
        new = numpy_helper.from_array(half, name + "_fp16")
        g.initializer.remove(init)
        g.initializer.append(new)
        casts.append(helper.make_node("Cast", [name + "_fp16"], [name], to=onnx.TensorProto.FLOAT, name=f"cast_{name}"))
        converted += 1
    nodes = list(g.node)
    del g.node[:]
    g.node.extend(casts + nodes)  # topological order: the casts first
    onnx.checker.check_model(m)
    onnx.save(m, path)
    return converted, len(keep)


def export_decoder(gpt, path):
    c = gpt.config
    gpt = gpt.cpu().eval()
    b, s, p = 2, 3, 2  # a non-empty past when tracing; every size is a dynamic axis
    ids = torch.randint(0, 256, (b, s))
    mask = torch.ones(b, p + s, dtype=torch.long)
    pos = torch.arange(p, p + s)[None].repeat(b, 1)
    past = []
    names_in, names_out = ["input_ids", "attention_mask", "position_ids"], ["logits"]
    axes = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "total"},
            "position_ids": {0: "batch", 1: "seq"}, "logits": {0: "batch", 1: "seq"}}
    for i in range(c.n_layer):
        for kv in ("key", "value"):
            past.append(torch.randn(b, c.n_head, p, c.head_size))
            n_in, n_out = f"past_key_values.{i}.{kv}", f"present.{i}.{kv}"
            names_in.append(n_in)
            names_out.append(n_out)
            axes[n_in] = {0: "batch", 2: "past"}
            axes[n_out] = {0: "batch", 2: "total"}
    with torch.no_grad():
        _export(DecoderWithPast(gpt), (ids, mask, pos, *past), path, names_in, names_out, axes)


def export_prm(gpt, path):
    gpt = gpt.cpu().eval()
    ids = torch.randint(0, 256, (2, 5))
    mask = torch.ones(2, 5, dtype=torch.long)
    axes = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
            "scores": {0: "batch", 1: "seq"}}
    with torch.no_grad():
        _export(PrmScores(gpt), (ids, mask), path, ["input_ids", "attention_mask"], ["scores"], axes)


def manifest(gpt, role, onnx_file, pretraining_tokens=None):
    c = gpt.config
    m = {
        "name": f"tiny-arith-{role}",
        "role": "policy" if role == "policy-large" else role,
        "onnx": onnx_file,
        "tokenizer": {"kind": "gpt2-bpe", "vocab": "vocab.json", "merges": "merges.txt"},
        "bos_token": task.EOT, "eos_token": task.EOT, "pad_token": task.EOT,
        "add_bos": True,
        "prompt_template": "{problem}\n\n",
        "step_delimiter": task.DELIM,
        "num_layers": c.n_layer, "num_heads": c.n_head, "num_kv_heads": c.n_head, "head_size": c.head_size,
        "hidden_size": c.n_embd, "vocab_size": c.vocab_size, "max_positions": c.max_positions,
        "parameter_count": gpt.num_parameters(),
        "dtype": "float32",
        "prm": {"head": "value", "output": "scores"} if role == "prm" else None,
        "revision": dict(REVISION) if role == "revision" else None,
    }
    if pretraining_tokens:
        m["pretraining_tokens"] = int(pretraining_tokens)   # the FLOPs-matched comparison's D_pretrain
    return m


def write_tokenizer(out):
    with open(os.path.join(out, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(task.vocab_json(), f, ensure_ascii=False)
    with open(os.path.join(out, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")  # no merges: every byte is one token


def export_all(models, out, fp16=True, pretraining_tokens=None):
    """models: {"policy": GPT, "policy-large": GPT, "revision": GPT, "prm": GPT with value head};
    pretraining_tokens: {role: tokens the model was trained on}, written into those manifests."""
    os.makedirs(out, exist_ok=True)
    write_tokenizer(out)
    for role, gpt in models.items():
        path = os.path.join(out, f"{role}.onnx")
        if role == "prm":
            export_prm(gpt, path)
        else:
            export_decoder(gpt, path)
        note = ""
        if fp16:
            done, kept = fp16_initializers(path)
            note = f" ({done} initializers in fp16, {kept} kept in float32)"
        with open(os.path.join(out, f"{role}.manifest.json"), "w") as f:
            json.dump(manifest(gpt, role, f"{role}.onnx", (pretraining_tokens or {}).get(role)), f, indent=2)
            f.write("\n")
        print(f"exported {path}: {os.path.getsize(path) / 1e6:.1f} MB, {gpt.num_parameters()} parameters{note}")


def load_models(work):
    return {"policy": M.load(os.path.join(work, "policy.pt")),
            "policy-large": M.load(os.path.join(work, "policy_large.pt")),
            "revision": M.load(os.path.join(work, "revision.pt")),
            "prm": M.load(os.path.join(work, "prm.pt"))}


def random_models(seed=0):
    torch.manual_seed(seed)
    policy = M.GPT(M.SMALL).eval()
    large = M.GPT(M.LARGE).eval()
    revision = M.GPT(M.SMALL).eval()
    prm = M.GPT(M.Config(**{**M.LARGE.to_dict(), "value_head": True})).eval()
    torch.nn.init.normal_(prm.value.weight, std=0.02)
    models = {"policy": policy, "policy-large": large, "revision": revision, "prm": prm}
    for m in models.values():  # fp16 values, as trained checkpoints hold
        with torch.no_grad():
            for p in m.parameters():
                p.copy_(p.half().float())
    return models


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default=None)
    ap.add_argument("--out", required=True)
    ap.add_argument("--random", action="store_true")
    ap.add_argument("--fp32", action="store_true", help="keep float32 initializers (for speed comparisons)")
    a = ap.parse_args()
    export_all(random_models() if a.random else load_models(a.work), a.out, fp16=not a.fp32)
