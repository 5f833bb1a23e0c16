"""Checkpoints back from the shipped ONNX files, so a later training stage can start from exactly the
weights that ship (e.g. retrain the PRM or the revision model on the GPU machine without retraining,
and so changing, the small policy whose samples every pipeline number depends on).

    /usr/bin/python3 from_onnx.py --models ../ --work ../work policy [policy-large revision prm]

The exporter names most initializers after the module's parameters, but matrices that feed a MatMul
get generated names (onnx::MatMul_NNN, stored transposed, numbered differently from process to
process). So initializers are told apart by the node that reads them, and the mapping is learned by
exporting a model of the same configuration whose parameters are all distinct random values and
matching its initializers to them (same code, same graph, same nodes). The result is checked by
exporting the rebuilt model and comparing every initializer with the shipped file's, bit for bit."""
import argparse
import json
import os
import tempfile

import numpy as np
import onnx
import torch
from onnx import numpy_helper

import export_onnx
import model as M

WORK_NAME = {"policy": "policy.pt", "policy-large": "policy_large.pt", "revision": "revision.pt", "prm": "prm.pt"}


def _initializers(path):
    """{(index of the first node that reads it, input slot): float32 array} for every initializer. Keys, not names:
    the exporter's generated names (onnx::MatMul_NNN) count values across everything the process traced before, so
    the same graph exported by another process has other names, but the same nodes in the same order."""
    g = onnx.load(path).graph
    casts = {n.input[0]: n.output[0] for n in g.node if n.op_type == "Cast" and n.name.startswith("cast_")}
    nodes = [n for n in g.node if not (n.op_type == "Cast" and n.name.startswith("cast_"))]  # fp16_initializers' casts
    first = {}
    for i, n in enumerate(nodes):
        for slot, name in enumerate(n.input):
            first.setdefault(name, (i, slot))
    out = {}
    for init in g.initializer:
        out[first[casts.get(init.name, init.name)]] = numpy_helper.to_array(init).astype(np.float32)
    return out


def _has_surprise_head(path):
    """The surprise head (model.surprise_features) is the graph's only LogSoftmax."""
    return any(n.op_type == "LogSoftmax" for n in onnx.load(path).graph.node)


def _export(gpt, role, path):
    if role == "prm":
        export_onnx.export_prm(gpt, path)
    else:
        export_onnx.export_decoder(gpt, path)
    export_onnx.fp16_initializers(path)


def _config(models_dir, role):
    with open(os.path.join(models_dir, f"{role}.manifest.json")) as f:
        man = json.load(f)
    path = os.path.join(models_dir, f"{role}.onnx")
    # the manifest has no MLP width: the first block's fc bias has it (its name is the parameter's)
    mlp = next(len(numpy_helper.to_array(i)) for i in onnx.load(path).graph.initializer
               if i.name.startswith("gpt.blocks.0.fc.bias"))
    return M.Config(n_layer=man["num_layers"], n_head=man["num_heads"], n_embd=man["hidden_size"], mlp_hidden=mlp,
                    max_positions=man["max_positions"], vocab_size=man["vocab_size"], value_head=role == "prm",
                    value_input="surprise" if role == "prm" and _has_surprise_head(path) else "hidden")


def _mapping(config, role, tmp):
    """initializer key (_initializers) -> (parameter name, transposed)."""
    torch.manual_seed(0)
    probe = M.GPT(config).eval()
    with torch.no_grad():
        for p in probe.parameters():  # distinct values that fp16 holds exactly (the export keeps them)
            p.copy_(torch.randn_like(p).half().float())
    path = os.path.join(tmp, f"probe-{role}.onnx")
    _export(probe, role, path)
    params = {n: p.detach().numpy() for n, p in probe.named_parameters()}
    out = {}
    for key, arr in _initializers(path).items():
        for pname, val in params.items():
            if val.shape == arr.shape and np.array_equal(val, arr):
                out[key] = (pname, False)
                break
            if val.ndim == 2 and val.T.shape == arr.shape and np.array_equal(val.T, arr):
                out[key] = (pname, True)
                break
    missing = set(params) - {p for p, _ in out.values()}
    if missing:
        raise SystemExit(f"{role}: no initializer found for {sorted(missing)}")
    return out


def rebuild(models_dir, role):
    shipped = _initializers(os.path.join(models_dir, f"{role}.onnx"))
    config = _config(models_dir, role)
    with tempfile.TemporaryDirectory() as tmp:
        mapping = _mapping(config, role, tmp)
        gpt = M.GPT(config).eval()
        state = dict(gpt.state_dict())
        if set(mapping) != set(shipped):
            raise SystemExit(f"{role}: the shipped graph's initializers are not where this code's export puts them")
        for key, (pname, transposed) in mapping.items():
            arr = shipped[key].T if transposed else shipped[key]
            state[pname] = torch.from_numpy(np.ascontiguousarray(arr))
        gpt.load_state_dict(state)
        check = os.path.join(tmp, f"check-{role}.onnx")
        _export(gpt, role, check)
        again = _initializers(check)
        for key in mapping:
            if not np.array_equal(again[key], shipped[key]):
                raise SystemExit(f"{role}: the rebuilt initializer read by node {key[0]} differs from the shipped file's")
    return gpt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    ap.add_argument("--work", required=True)
    ap.add_argument("roles", nargs="+", choices=sorted(WORK_NAME))
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    for role in a.roles:
        gpt = rebuild(a.models, role)
        path = os.path.join(a.work, WORK_NAME[role])
        M.save(gpt, path)
        print(f"{role}: {gpt.num_parameters()} parameters, every initializer equal to {role}.onnx's -> {path}")


if __name__ == "__main__":
    main()
