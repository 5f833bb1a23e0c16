"""Run: /usr/bin/python3 -m unittest discover -s scripts/hf_import -p 'test_*.py'
The numeric checks of the graphs (against transformers' outputs) are in C#:
tests/Inference.Tests/HfImportTests.cs (no onnxruntime for Python on the dev machines)."""
from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tempfile
import unittest

import numpy as np
import onnx
from onnx import numpy_helper

import import_hf
from hf_config import ConfigError, parse_config
from import_hf import ImportFailure, import_checkpoint
from safetensors_reader import Checkpoint, write_safetensors

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(REPO, "tests", "Fixtures", "hf")
QUIET = dict(log=lambda *_: None)

TINY = {"hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 4,
        "num_key_value_heads": 2, "vocab_size": 40, "max_position_embeddings": 64, "rms_norm_eps": 1e-5,
        "rope_theta": 10000.0, "bos_token_id": 37, "eos_token_id": 38, "torch_dtype": "bfloat16"}


def load(path: str):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def read(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


def write_tiny(d: str, arch: str = "LlamaForCausalLM", role: str = "policy", head: str | None = None,
               extra: dict | None = None, drop: tuple = (), **cfg) -> dict[str, np.ndarray]:
    """A random-weight checkpoint folder of TINY's size with the files the importer reads."""
    config = {"architectures": [arch], **TINY, **cfg}
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    spec = parse_config(config)
    rng = np.random.default_rng(7)
    tensors = {n: rng.standard_normal(s).astype(np.float32) * 0.2
               for n, s in import_hf.expected_tensors(spec, role, head).items() if n not in drop}
    tensors.update(extra or {})
    write_safetensors(os.path.join(d, "model.safetensors"), tensors, {n: "BF16" for n in tensors})
    vocab = {f"t{i}": i for i in range(36)} | {"<extra_0>": 36}
    specials = ["<s>", "</s>", "<pad>"]
    with open(os.path.join(d, "tokenizer.json"), "w") as f:
        json.dump({"model": {"type": "BPE", "vocab": vocab, "merges": []},
                   "added_tokens": [{"id": 37 + i, "content": s, "special": True} for i, s in enumerate(specials)]}, f)
    with open(os.path.join(d, "tokenizer_config.json"), "w") as f:
        json.dump({"bos_token": {"content": "<s>", "__type": "AddedToken"}, "eos_token": "</s>", "pad_token": None,
                   "chat_template": [{"name": "tool_use", "template": "T"}, {"name": "default", "template": "D{{ x }}"}]}, f)
    return tensors


class FixtureImportTest(unittest.TestCase):
    """Each fixture checkpoint (transformers 5.17's files) imports in every layout and dtype."""

    CASES = [("llama-policy", {}), ("qwen2-policy", {}), ("qwen-prm", {}), ("skywork-prm", {}),
             ("math-shepherd", {"role": "prm", "label_token_ids": (455, 472)}),
             ("rlhflow-prm", {"role": "prm", "label_token_ids": (10, 12)})]

    def test_every_fixture_in_every_dtype_and_layout(self):
        for family, kw in self.CASES:
            folder = os.path.join(FIXTURES, family)
            ckpt = Checkpoint(folder)
            layouts = ["concat", "shared"]
            for dtype in ("float32", "float16"):
                for layout in layouts:
                    with self.subTest(family=family, dtype=dtype, layout=layout), tempfile.TemporaryDirectory() as out:
                        path = import_checkpoint(folder, out, dtype=dtype, layout=layout, **kw, **QUIET)
                        m = load(path)
                        self.check_manifest(family, m, ckpt, dtype, layout)
                        model = onnx.load(os.path.join(out, "model.onnx"))
                        self.check_graph(m, model, dtype)
                        self.assertTrue(os.path.exists(os.path.join(out, "tokenizer.json")))
                        self.assertFalse(os.path.exists(os.path.join(out, "model.onnx.data")))

    def check_manifest(self, family, m, ckpt, dtype, layout):
        self.assertEqual(m["name"], family)
        self.assertEqual(m["dtype"], dtype)
        self.assertEqual(m["tokenizer"], {"kind": "hf-json", "file": "tokenizer.json"})
        self.assertEqual(m["add_bos"], False)
        self.assertEqual(m["source"]["torch_dtype"], "bfloat16")
        self.assertEqual(m["source"]["checkpoint"], os.path.join(FIXTURES, family))
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "system_prompt.txt")) as f:
            self.assertEqual(m["system_prompt"], f.read())
        gen = load(os.path.join(FIXTURES, family, "generation_config.json"))["eos_token_id"]
        self.assertEqual(len(m["stop_tokens"]), len(gen) if isinstance(gen, list) else 1)
        # Every weight counted once; a PRM's unread lm_head and a tied copy not at all.
        sizes = {n: int(np.prod(ckpt.shape(n))) for n in ckpt.names()}
        total = sum(sizes.values())
        if "lm_head.weight" in sizes and (m["role"] == "prm" or family == "qwen2-policy"):
            total -= sizes["lm_head.weight"]
        if m["role"] == "prm" and m["prm"]["head"] == "token_logits":
            total += 0 if "lm_head.weight" not in sizes else 2 * m["hidden_size"]
        self.assertEqual(m["parameter_count"], total)
        if m["role"] == "prm":
            # float16 defaults to the GPU layout: a PRM that takes its shared prefix's cache.
            self.assertEqual(m.get("kv_cache"), "prefix" if (layout or ("concat" if dtype == "float32" else "shared")) == "shared" else None)
            self.assertEqual(m["prm"]["format"], {"qwen-prm": "qwen-prm", "skywork-prm": "skywork", "math-shepherd": "math-shepherd",
                                                  "rlhflow-prm": "rlhflow"}[family])
        else:
            self.assertEqual((m["kv_cache"], m["logits"], m["prm"]), (layout, "last", None))
            self.assertEqual(m["chat_template"], "chat_template.jinja")

    def check_graph(self, m, model, dtype):
        inputs = [i.name for i in model.graph.input]
        outputs = [o.name for o in model.graph.output]
        want_float = onnx.TensorProto.FLOAT16 if dtype == "float16" else onnx.TensorProto.FLOAT
        big = [t for t in model.graph.initializer if t.name in ("embed_tokens", "l0.wqkv")]
        self.assertTrue(big and all(t.data_type == want_float for t in big))
        if m["role"] == "prm":
            past = [f"past_key_values.{i}.{kv}" for i in range(m["num_layers"]) for kv in ("key", "value")]
            present = [f"present.{i}.{kv}" for i in range(m["num_layers"]) for kv in ("key", "value")]
            cache = m.get("kv_cache") == "prefix"
            self.assertEqual(inputs, ["input_ids", "attention_mask", "position_ids"] + (past if cache else []))
            self.assertEqual(outputs, [m["prm"]["output"]] + (present if cache else []))
            out = model.graph.output[0].type.tensor_type
            self.assertEqual(out.elem_type, onnx.TensorProto.FLOAT)
            self.assertEqual(len(out.shape.dim), 2 if m["prm"]["head"] == "value" else 3)
        elif m["kv_cache"] == "shared":
            self.assertEqual(inputs[:4], ["input_ids", "seqlens_k", "total_sequence_length", "last_index"])
            self.assertEqual(outputs[:2], ["logits", "next_token"])
            self.assertEqual(sum(n.op_type == "GroupQueryAttention" for n in model.graph.node), m["num_layers"])
        else:
            self.assertEqual(inputs[:3], ["input_ids", "attention_mask", "position_ids"])
            self.assertEqual(len(inputs), 3 + 2 * m["num_layers"])
            self.assertEqual(outputs[0], "logits")

    def test_sharded_fixture_reads_both_shards(self):
        ckpt = Checkpoint(os.path.join(FIXTURES, "qwen2-policy"))
        self.assertEqual(len(ckpt.files), 2)

    def test_mistral_window_caps_the_context_and_refuses_more(self):
        folder = os.path.join(FIXTURES, "math-shepherd")
        kw = {"role": "prm", "label_token_ids": (455, 472), "dtype": "float32"}
        with tempfile.TemporaryDirectory() as out:
            said = []
            m = load(import_checkpoint(folder, out, log=said.append, **kw))
            self.assertEqual(m["max_positions"], 4096)
            self.assertTrue(any("sliding_window 4096" in s for s in said))
            m = load(import_checkpoint(folder, out, max_positions=1024, **kw, **QUIET))
            self.assertEqual(m["max_positions"], 1024)
            with self.assertRaisesRegex(ImportFailure, "field 'sliding_window': 4096 is shorter than --max-positions 8192"):
                import_checkpoint(folder, out, max_positions=8192, **kw, **QUIET)

    def test_token_logits_prms_need_label_ids_and_prm_archs_need_their_role(self):
        with tempfile.TemporaryDirectory() as out:
            with self.assertRaisesRegex(ImportFailure, "--prm-format math-shepherd needs --label-token-ids"):
                import_checkpoint(os.path.join(FIXTURES, "math-shepherd"), out, role="prm", **QUIET)
            with self.assertRaisesRegex(ImportFailure, "outside the vocabulary"):
                import_checkpoint(os.path.join(FIXTURES, "math-shepherd"), out, role="prm", label_token_ids=(1, 5000), **QUIET)
            with self.assertRaisesRegex(ImportFailure, "field 'architectures': Qwen2ForProcessRewardModel is a PRM"):
                import_checkpoint(os.path.join(FIXTURES, "qwen-prm"), out, role="policy", **QUIET)
            with self.assertRaisesRegex(ImportFailure, "--prm-format qwen-prm needs Qwen2ForProcessRewardModel"):
                import_checkpoint(os.path.join(FIXTURES, "llama-policy"), out, role="prm", prm_format="qwen-prm", **QUIET)
            with self.assertRaisesRegex(ImportFailure, "--layout paged: not one of shared, concat"):
                import_checkpoint(os.path.join(FIXTURES, "skywork-prm"), out, layout="paged", **QUIET)

    def test_bfloat16_is_refused_with_the_way_out(self):
        with tempfile.TemporaryDirectory() as out:
            with self.assertRaisesRegex(ImportFailure, "bfloat16.*use --dtype float16"):
                import_checkpoint(os.path.join(FIXTURES, "llama-policy"), out, dtype="bfloat16", **QUIET)

    def test_cli_exit_code_and_message(self):
        err = io.StringIO()
        with tempfile.TemporaryDirectory() as out, contextlib.redirect_stderr(err):
            rc = import_hf.main([os.path.join(FIXTURES, "llama-policy"), "--out", out, "--max-positions", "999999"])
        self.assertEqual(rc, 2)
        self.assertIn("import_hf: error: --max-positions 999999 exceeds config.json's max_position_embeddings 131072", err.getvalue())


class TensorInventoryTest(unittest.TestCase):
    def test_unknown_tensor_is_refused_by_name(self):
        with tempfile.TemporaryDirectory() as d, tempfile.TemporaryDirectory() as out:
            write_tiny(d, extra={"model.layers.0.mlp.extra_proj.weight": np.ones((2, 2), np.float32)})
            with self.assertRaisesRegex(ImportFailure, "tensor 'model.layers.0.mlp.extra_proj.weight' is not used"):
                import_checkpoint(d, out, **QUIET)

    def test_missing_tensor_and_wrong_shape(self):
        with tempfile.TemporaryDirectory() as d, tempfile.TemporaryDirectory() as out:
            write_tiny(d, drop=("model.layers.1.mlp.up_proj.weight",))
            with self.assertRaisesRegex(ImportFailure, "tensor 'model.layers.1.mlp.up_proj.weight' missing"):
                import_checkpoint(d, out, **QUIET)
            write_tiny(d, extra={"model.norm.weight": np.ones(31, np.float32)})
            with self.assertRaisesRegex(ImportFailure, r"tensor 'model.norm.weight' has shape \[31\], config.json implies \[32\]"):
                import_checkpoint(d, out, **QUIET)

    def test_untied_head_needs_lm_head_and_tied_copy_must_equal_the_embedding(self):
        with tempfile.TemporaryDirectory() as d, tempfile.TemporaryDirectory() as out:
            write_tiny(d, drop=("lm_head.weight",))
            with self.assertRaisesRegex(ImportFailure, "tensor 'lm_head.weight' missing.*tie_word_embeddings false"):
                import_checkpoint(d, out, **QUIET)
            t = write_tiny(d, tie_word_embeddings=True)
            write_tiny(d, tie_word_embeddings=True, extra={"lm_head.weight": t["model.embed_tokens.weight"]})
            m = load(import_checkpoint(d, out, **QUIET))
            self.assertEqual(m["parameter_count"], sum(v.size for k, v in t.items()))
            write_tiny(d, tie_word_embeddings=True, extra={"lm_head.weight": t["model.embed_tokens.weight"] + 1})
            with self.assertRaisesRegex(ImportFailure, "'lm_head.weight' differs from model.embed_tokens.weight"):
                import_checkpoint(d, out, **QUIET)

    def test_prm_may_carry_an_unread_lm_head(self):
        with tempfile.TemporaryDirectory() as d, tempfile.TemporaryDirectory() as out:
            write_tiny(d, arch="Qwen2ForProcessRewardModel", role="prm", head="two_class",
                       extra={"lm_head.weight": np.zeros((40, 32), np.float32)})
            m = load(import_checkpoint(d, out, dtype="float32", **QUIET))
            self.assertEqual(m["prm"]["head"], "two_class")

    def test_saved_rotary_buffers_are_checked(self):
        spec = parse_config({"architectures": ["LlamaForCausalLM"], **TINY})
        with tempfile.TemporaryDirectory() as d, tempfile.TemporaryDirectory() as out:
            write_tiny(d, extra={"model.layers.0.self_attn.rotary_emb.inv_freq": spec.inv_freq})
            import_checkpoint(d, out, **QUIET)
            write_tiny(d, extra={"model.layers.0.self_attn.rotary_emb.inv_freq": spec.inv_freq * 1.05})
            with self.assertRaisesRegex(ImportFailure, "rotary_emb.inv_freq' .* differs"):
                import_checkpoint(d, out, **QUIET)

    def test_llama_attention_bias_reaches_the_graph(self):
        with tempfile.TemporaryDirectory() as d, tempfile.TemporaryDirectory() as out:
            write_tiny(d, attention_bias=True)
            import_checkpoint(d, out, layout="concat", **QUIET)
            names = {t.name for t in onnx.load(os.path.join(out, "model.onnx")).graph.initializer}
            self.assertTrue({"l0.bqkv", "l0.bo", "l1.bqkv", "l1.bo"} <= names)

    def test_config_errors_stop_the_import(self):
        with tempfile.TemporaryDirectory() as d, tempfile.TemporaryDirectory() as out:
            write_tiny(d)
            cfg = load(os.path.join(d, "config.json"))
            cfg["rope_scaling"] = {"rope_type": "yarn", "factor": 4.0}
            with open(os.path.join(d, "config.json"), "w") as f:
                json.dump(cfg, f, indent=2)
            with self.assertRaisesRegex(ConfigError, "field 'rope_scaling.rope_type'"):
                import_checkpoint(d, out, **QUIET)

    def test_special_tokens_template_list_and_stop_ids(self):
        with tempfile.TemporaryDirectory() as d, tempfile.TemporaryDirectory() as out:
            write_tiny(d, eos_token_id=[38, 39])
            m = load(import_checkpoint(d, out, **QUIET))
            self.assertEqual((m["bos_token"], m["eos_token"], m["pad_token"]), ("<s>", "</s>", "</s>"))
            self.assertEqual(m["stop_tokens"], ["</s>", "<pad>"])       # no generation_config: config.json's ids
            self.assertEqual(read(os.path.join(out, "chat_template.jinja")), "D{{ x }}")


class ExternalDataTest(unittest.TestCase):
    def test_weights_written_tensor_by_tensor_equal_the_inline_graph(self):
        folder = os.path.join(FIXTURES, "qwen2-policy")
        with tempfile.TemporaryDirectory() as inline, tempfile.TemporaryDirectory() as ext:
            import_checkpoint(folder, inline, dtype="float16", **QUIET)
            import_checkpoint(folder, ext, dtype="float16", external_over=0, **QUIET)
            data = os.path.join(ext, "model.onnx.data")
            self.assertTrue(os.path.exists(data))
            bare = onnx.load(os.path.join(ext, "model.onnx"), load_external_data=False)
            external = [t for t in bare.graph.initializer if t.data_location == onnx.TensorProto.EXTERNAL]
            self.assertGreater(len(external), 10)
            for t in external:
                info = {e.key: e.value for e in t.external_data}
                self.assertEqual(info["location"], "model.onnx.data")
                self.assertEqual(int(info["offset"]) % 4096, 0)
                self.assertFalse(t.HasField("raw_data"))
            self.assertLess(os.path.getsize(os.path.join(ext, "model.onnx")), 64 * 1024)
            a = {t.name: numpy_helper.to_array(t) for t in onnx.load(os.path.join(inline, "model.onnx")).graph.initializer}
            b = {t.name: numpy_helper.to_array(t) for t in onnx.load(os.path.join(ext, "model.onnx")).graph.initializer}
            self.assertEqual(a.keys(), b.keys())
            for name in a:
                np.testing.assert_array_equal(a[name], b[name], err_msg=name)

    def test_a_stale_data_file_is_removed(self):
        folder = os.path.join(FIXTURES, "skywork-prm")
        with tempfile.TemporaryDirectory() as out:
            import_checkpoint(folder, out, external_over=0, **QUIET)
            import_checkpoint(folder, out, **QUIET)
            self.assertFalse(os.path.exists(os.path.join(out, "model.onnx.data")))


if __name__ == "__main__":
    unittest.main()
