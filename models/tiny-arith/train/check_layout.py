"""Self-check of the decoder layout in PyTorch: a left-padded batch fed through the KV cache gives the
same logits as each row alone, and the training path (no mask) matches the cached path. If
onnxruntime is importable (the GPU machine has it), the exported ONNX files are checked the same way.

    python3 check_layout.py [ONNX_DIR]
"""
import sys

import numpy as np
import torch

import model as M
from sample import left_pad
from task import encode


def check_torch(gpt):
    a, b = encode("Compute $7+5$.\n\n", bos=True), encode("Compute $(17+25)\\times 3-40$.\n\n17", bos=True)
    ids, mask = left_pad([a, b], "cpu")
    pos = M.positions_from_mask(mask)
    with torch.no_grad():
        full, _ = gpt(ids[:, :-2], mask[:, :-2], pos[:, :-2], None)
        _, past = gpt(ids[:, :-2], mask[:, :-2], pos[:, :-2], None)
        step, _ = gpt(ids[:, -2:], mask, pos[:, -2:], past)
        for r, s in enumerate([a, b]):
            alone, _ = gpt(torch.tensor([s]))
            assert torch.allclose(alone[0, -1], step[r, -1], atol=1e-4), "padded+cached row differs from the row alone"
            assert torch.allclose(alone[0, -2], step[r, -2], atol=1e-4)
    print("torch layout ok")
    return ids, mask, pos, step


def check_onnx(gpt, prm, onnx_dir):
    import onnxruntime as ort
    ids, mask, pos, step = check_torch(gpt)
    c = gpt.config
    sess = ort.InferenceSession(f"{onnx_dir}/policy.onnx", providers=["CPUExecutionProvider"])
    feed = {"input_ids": ids[:, :-2].numpy(), "attention_mask": mask[:, :-2].numpy(), "position_ids": pos[:, :-2].numpy()}
    for i in range(c.n_layer):
        for kv in ("key", "value"):
            feed[f"past_key_values.{i}.{kv}"] = np.zeros((2, c.n_head, 0, c.head_size), np.float32)
    outs = sess.run(None, feed)
    names = [o.name for o in sess.get_outputs()]
    feed2 = {"input_ids": ids[:, -2:].numpy(), "attention_mask": mask.numpy(), "position_ids": pos[:, -2:].numpy()}
    for i in range(c.n_layer):
        for kv in ("key", "value"):
            feed2[f"past_key_values.{i}.{kv}"] = outs[names.index(f"present.{i}.{kv}")]
    logits = sess.run(["logits"], feed2)[0]
    err = float(np.abs(logits - step.numpy()).max())
    assert err < 1e-3, f"onnx policy differs from torch by {err}"
    print(f"onnx policy ok (max |diff| {err:.2e}, empty past then cached step, left-padded batch)")
    psess = ort.InferenceSession(f"{onnx_dir}/prm.onnx", providers=["CPUExecutionProvider"])
    s = psess.run(["scores"], {"input_ids": ids.numpy(), "attention_mask": mask.numpy()})[0]
    with torch.no_grad():
        ref = prm.scores(ids, mask).numpy()
    err = float(np.abs(s - ref)[mask.numpy() > 0].max())
    assert err < 1e-4, f"onnx prm differs from torch by {err}"
    print(f"onnx prm ok (max |diff| {err:.2e})")


if __name__ == "__main__":
    torch.manual_seed(0)
    if len(sys.argv) > 1:
        import export_onnx
        ms = export_onnx.load_models(sys.argv[2]) if len(sys.argv) > 2 else export_onnx.random_models()
        check_onnx(ms["policy"], ms["prm"], sys.argv[1])
    else:
        check_torch(M.GPT(M.Config()).eval())
