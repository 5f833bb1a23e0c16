#!/usr/bin/python3
"""Writes sampler-float16.onnx and sampler-float32.onnx: TokenSampler's temperature draw (top_p = 1)
as an ONNX graph, so a GPU decoder samples where its logits are and only token ids cross to the host.

  /usr/bin/python3 src/Inference/Sampling/make_sampler.py      (outputs are committed; byte-identical on rerun)

Same rule as TokenSampler.Sample: weights w_i = exp((l_i - max) * inv_temperature), target = u * sum(w),
token = first index in vocabulary order whose running sum exceeds the target. The running sum is a
running sum, which never decreases, so that index is the count of positions whose running sum is <= target.
u comes from the row's own SampleRng on the host, as on the host path. Sums run in float32 here
(double on the host), so a draw within ~1e-6 of a boundary may pick the neighbouring token.
The running sum is taken in two levels (sums of blocks of 256, then within the chosen block), each
a product with an upper-triangular ones matrix: ONNX Runtime's CUDA CumSum ran serially on an H200
(~15 ns an element: 2.3 ms a row over a 151936-token vocabulary). The session that runs this graph
turns TF32 off (DeviceSampler), so the products sum in full float32.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
INT64_MAX = 9223372036854775807


BLOCK = 256


def build(logits_type: int) -> onnx.ModelProto:
    def const(name, values, dtype=np.int64):
        return numpy_helper.from_array(np.array(values, dtype=dtype), name)

    inits = [const("axis1", [1]), const("axis2", [2]), const("last", [-1]),
             const("end", [INT64_MAX]), const("idx1", [1]), const("block", BLOCK), const("zero2", [0, 0, 0]),
             const("shape3", [0, -1, BLOCK]), const("shape2", [0, BLOCK]), const("expand", [1, 1, BLOCK]),
             const("one", [1]), const("block_last", [BLOCK - 1]),
             numpy_helper.from_array(np.triu(np.ones((BLOCK, BLOCK), dtype=np.float32)), "upper_block")]

    def node(op, ins, outs, **kw):
        return helper.make_node(op, ins, outs, **kw)

    n = [
        # weights w_i = exp((l_i - max) * inv_temperature), float32
        node("Cast", ["logits"], ["lf"], to=TensorProto.FLOAT),
        # the row's largest logit at the decoder's own argmax: a ReduceMax over the vocabulary ran as
        # one cuDNN kernel of 13.9 ms at batch 16 on an H200 (ncu), the gather takes microseconds
        node("Unsqueeze", ["argmax", "axis1"], ["argmax2"]),
        node("GatherElements", ["lf", "argmax2"], ["m"], axis=1),
        node("Unsqueeze", ["inv_temperature", "axis1"], ["inv"]),
        node("Sub", ["lf", "m"], ["d"]),
        node("Mul", ["d", "inv"], ["z"]),
        node("Exp", ["z"], ["w"]),
        # zero-pad the vocabulary to whole blocks: [B, blocks, BLOCK]
        node("Shape", ["w"], ["shape"]),
        node("Gather", ["shape", "idx1"], ["vocab"], axis=0),
        node("Mod", ["vocab", "block"], ["rem"]),
        node("Sub", ["block", "rem"], ["missing"]),
        node("Mod", ["missing", "block"], ["padlen"]),
        node("Concat", ["zero2", "padlen"], ["pads"], axis=0),
        node("Pad", ["w", "pads"], ["wp"]),
        node("Reshape", ["wp", "shape3"], ["w3"]),
        # the block holding the target: running sums of block sums
        node("ReduceSum", ["w3", "axis2"], ["bsum"], keepdims=0),               # [B, blocks]
        # running sums as a product with an upper-triangular ones matrix (cuBLAS; CumSum is serial on CUDA)
        node("Shape", ["bsum"], ["bsum_shape"]),
        node("Gather", ["bsum_shape", "idx1"], ["nb"], axis=0),
        node("Concat", ["nb", "nb"], ["nbnb"], axis=0),
        node("ConstantOfShape", ["nbnb"], ["ones_b"], value=numpy_helper.from_array(np.array([1.0], dtype=np.float32))),
        node("Trilu", ["ones_b"], ["upper_b"], upper=1),
        node("MatMul", ["bsum", "upper_b"], ["cb"]),
        node("Slice", ["cb", "last", "end", "axis1"], ["total"]),               # [B, 1]
        node("Unsqueeze", ["uniform", "axis1"], ["u"]),
        node("Mul", ["total", "u"], ["target"]),
        node("LessOrEqual", ["cb", "target"], ["below_b"]),
        node("Cast", ["below_b"], ["below_bf"], to=TensorProto.FLOAT),
        node("ReduceSum", ["below_bf", "axis1"], ["kf"], keepdims=1),
        node("Cast", ["kf"], ["k_raw"], to=TensorProto.INT64),
        node("Shape", ["cb"], ["cb_shape"]),
        node("Gather", ["cb_shape", "idx1"], ["blocks"], axis=0),
        node("Sub", ["blocks", "one"], ["block_max"]),
        node("Min", ["k_raw", "block_max"], ["k"]),                                # [B, 1]
        node("GatherElements", ["cb", "k"], ["cb_k"], axis=1),
        node("GatherElements", ["bsum", "k"], ["bsum_k"], axis=1),
        node("Sub", ["cb_k", "bsum_k"], ["before"]),                             # mass before block k
        # the token inside block k
        node("Unsqueeze", ["k", "axis2"], ["k3"]),
        node("Expand", ["k3", "expand"], ["k3e"]),                                # [B, 1, BLOCK]
        node("GatherElements", ["w3", "k3e"], ["wk3"], axis=1),
        node("Reshape", ["wk3", "shape2"], ["wk"]),                               # [B, BLOCK]
        node("MatMul", ["wk", "upper_block"], ["cw0"]),
        node("Add", ["cw0", "before"], ["cw"]),
        node("LessOrEqual", ["cw", "target"], ["below_t"]),
        node("Cast", ["below_t"], ["below_tf"], to=TensorProto.FLOAT),
        node("ReduceSum", ["below_tf", "axis1"], ["jf"], keepdims=1),
        node("Cast", ["jf"], ["j_raw"], to=TensorProto.INT64),
        node("Min", ["j_raw", "block_last"], ["j"]),
        node("Mul", ["k", "block"], ["base"]),
        node("Add", ["base", "j"], ["token2"]),
        # a token in the padding (rounding at the very end) is clamped to the last one by the caller
        node("Squeeze", ["token2", "axis1"], ["token"]),
    ]
    graph = helper.make_graph(
        n, "token_sampler",
        [helper.make_tensor_value_info("logits", logits_type, ["batch", "vocab"]),
         helper.make_tensor_value_info("argmax", TensorProto.INT64, ["batch"]),
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
