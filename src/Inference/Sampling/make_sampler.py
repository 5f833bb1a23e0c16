#!/usr/bin/python3
"""Writes sampler-float16.onnx and sampler-float32.onnx: TokenSampler's temperature draw (top_p = 1)
as an ONNX graph, so a GPU decoder samples where its logits are and only token ids cross to the host.

  /usr/bin/python3 src/Inference/Sampling/make_sampler.py      (outputs are committed; byte-identical on rerun)

Same rule as TokenSampler.Sample: weights w_i = exp((l_i - max) * inv_temperature), target = u * sum(w),
token = first index in vocabulary order whose running sum exceeds the target. The running sum is a
CumSum, which never decreases, so that index is the count of positions whose running sum is <= target.
u comes from the row's own SampleRng on the host, as on the host path. Sums run in float32 here
(double on the host), so a draw within ~1e-6 of a boundary may pick the neighbouring token.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
INT64_MAX = 9223372036854775807


def build(logits_type: int) -> onnx.ModelProto:
    def const(name, values, dtype=np.int64):
        return numpy_helper.from_array(np.array(values, dtype=dtype), name)

    inits = [const("axis1", [1]), const("axis1_scalar", 1), const("last", [-1]), const("end", [INT64_MAX])]
    n = [
        helper.make_node("Cast", ["logits"], ["lf"], to=TensorProto.FLOAT),
        helper.make_node("ReduceMax", ["lf"], ["m"], axes=[1], keepdims=1),
        helper.make_node("Unsqueeze", ["inv_temperature", "axis1"], ["inv"]),
        helper.make_node("Sub", ["lf", "m"], ["d"]),
        helper.make_node("Mul", ["d", "inv"], ["z"]),
        helper.make_node("Exp", ["z"], ["w"]),
        helper.make_node("CumSum", ["w", "axis1_scalar"], ["c"]),
        helper.make_node("Slice", ["c", "last", "end", "axis1"], ["total"]),          # [B,1]
        helper.make_node("Unsqueeze", ["uniform", "axis1"], ["u"]),
        helper.make_node("Mul", ["total", "u"], ["target"]),
        helper.make_node("LessOrEqual", ["c", "target"], ["below"]),
        helper.make_node("Cast", ["below"], ["below_f"], to=TensorProto.FLOAT),
        helper.make_node("ReduceSum", ["below_f", "axis1"], ["count_f"], keepdims=0),  # exact: < 2^24
        # count == vocab only if rounding left no sum above the target: the caller clamps it to the
        # last token, as the host does (no shape arithmetic here, so every node runs on the GPU)
        helper.make_node("Cast", ["count_f"], ["token"], to=TensorProto.INT64),
    ]
    graph = helper.make_graph(
        n, "token_sampler",
        [helper.make_tensor_value_info("logits", logits_type, ["batch", "vocab"]),
         helper.make_tensor_value_info("inv_temperature", TensorProto.FLOAT, ["batch"]),
         helper.make_tensor_value_info("uniform", TensorProto.FLOAT, ["batch"])],
        [helper.make_tensor_value_info("token", TensorProto.INT64, ["batch"])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="make_sampler.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


if __name__ == "__main__":
    for name, t in (("float16", TensorProto.FLOAT16), ("float32", TensorProto.FLOAT)):
        onnx.save(build(t), os.path.join(HERE, f"sampler-{name}.onnx"))
        print(f"wrote sampler-{name}.onnx")
