"""Run: /usr/bin/python3 -m unittest discover -s scripts/hf_import -p 'test_*.py'"""
from __future__ import annotations

import json
import math
import os
import tempfile
import unittest

import numpy as np

from hf_config import ConfigError, default_inv_freq, load_config, parse_config

# Llama-3.2-1B-Instruct's published config (../shared/notes/real-models.md), trimmed to what matters.
LLAMA = {"architectures": ["LlamaForCausalLM"], "hidden_size": 2048, "num_hidden_layers": 16, "num_attention_heads": 32,
         "num_key_value_heads": 8, "head_dim": 64, "intermediate_size": 8192, "vocab_size": 128256,
         "max_position_embeddings": 131072, "rms_norm_eps": 1e-5, "hidden_act": "silu", "rope_theta": 500000.0,
         "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                          "original_max_position_embeddings": 8192, "rope_type": "llama3"},
         "tie_word_embeddings": True, "attention_bias": False, "mlp_bias": False, "torch_dtype": "bfloat16",
         "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009]}
QWEN2 = {"architectures": ["Qwen2ForCausalLM"], "hidden_size": 1536, "num_hidden_layers": 28, "num_attention_heads": 12,
         "num_key_value_heads": 2, "intermediate_size": 8960, "vocab_size": 151936, "max_position_embeddings": 4096,
         "rope_theta": 10000.0, "sliding_window": 4096, "use_sliding_window": False, "tie_word_embeddings": True}
MISTRAL = {"architectures": ["MistralForCausalLM"], "hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 32,
           "num_key_value_heads": 8, "intermediate_size": 14336, "vocab_size": 32000, "max_position_embeddings": 32768,
           "rope_theta": 10000.0, "sliding_window": 4096}


def hand_llama3(theta: float, dim: int, factor: float, low: float, high: float, old: int) -> list[float]:
    """Meta's reference recipe (llama-models apply_scaling), element by element in float64."""
    out = []
    for i in range(0, dim, 2):
        f = 1.0 / math.pow(theta, i / dim)
        wavelen = 2 * math.pi / f
        if wavelen < old / high:
            out.append(f)
        elif wavelen > old / low:
            out.append(f / factor)
        else:
            smooth = (old / wavelen - low) / (high - low)
            out.append((1 - smooth) * f / factor + smooth * f)
    return out


class ConfigFileTest(unittest.TestCase):
    def load(self, cfg: dict):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "config.json")
            with open(path, "w") as f:
                json.dump(cfg, f, indent=2)
            return load_config(path)

    def assertFieldError(self, cfg: dict, field: str, words: str):
        with self.assertRaises(ConfigError) as e:
            self.load(cfg)
        msg = str(e.exception)
        self.assertRegex(msg, r"config\.json:\d+: field '" + field.replace(".", r"\.") + "'")
        self.assertIn(words, msg)
        return msg

    def test_unsupported_values_name_the_field_and_its_line(self):
        msg = self.assertFieldError({**LLAMA, "architectures": ["GPT2LMHeadModel"]}, "architectures", "GPT2LMHeadModel")
        self.assertIn("config.json:2:", msg)   # "architectures" is the second line of the indented file
        self.assertFieldError({**LLAMA, "hidden_act": "gelu"}, "hidden_act", "'gelu' is not supported")
        self.assertFieldError({**LLAMA, "rope_scaling": {"rope_type": "yarn", "factor": 4.0}}, "rope_scaling.rope_type", "'yarn'")
        self.assertFieldError({**LLAMA, "rope_scaling": {"type": "linear", "factor": 2.0}}, "rope_scaling.rope_type", "'linear'")
        self.assertFieldError({**{k: v for k, v in LLAMA.items() if k not in ("rope_theta", "rope_scaling")},
                               "rope_parameters": {"rope_type": "dynamic", "rope_theta": 1e4, "factor": 2.0}},
                              "rope_parameters.rope_type", "'dynamic'")
        self.assertFieldError({**LLAMA, "mlp_bias": True}, "mlp_bias", "not supported")
        self.assertFieldError({**LLAMA, "num_key_value_heads": 5}, "num_key_value_heads", "does not divide")
        self.assertFieldError({k: v for k, v in LLAMA.items() if k != "vocab_size"}, "vocab_size", "missing")
        llama3 = dict(LLAMA["rope_scaling"])
        del llama3["low_freq_factor"]
        self.assertFieldError({**LLAMA, "rope_scaling": llama3}, "rope_scaling.low_freq_factor", "missing")
        self.assertFieldError({**QWEN2, "partial_rotary_factor": 0.5}, "partial_rotary_factor", "0.5")

    def test_llama3_frequencies_equal_the_hand_computed_ones(self):
        spec = self.load(LLAMA)
        want = hand_llama3(500000.0, 64, 32.0, 1.0, 4.0, 8192)
        np.testing.assert_allclose(spec.inv_freq, want, rtol=2e-6)
        self.assertEqual(spec.inv_freq.dtype, np.float32)
        self.assertEqual(spec.inv_freq[0], 1.0)                       # shortest wavelength: kept
        default = default_inv_freq(500000.0, 64)
        np.testing.assert_allclose(spec.inv_freq[-1], default[-1] / 32, rtol=1e-6)   # longest: divided by factor
        medium = [i for i in range(32) if not np.isclose(spec.inv_freq[i], default[i], rtol=1e-6)
                  and not np.isclose(spec.inv_freq[i], default[i] / 32, rtol=1e-6)]
        self.assertEqual(medium, [15, 16, 17])                          # wavelengths between 2048 and 8192
        self.assertEqual(spec.head_dim, 64)
        self.assertTrue(spec.tie_word_embeddings)
        self.assertEqual(spec.eos_token_ids, [128001, 128008, 128009])

    def test_transformers5_rope_parameters_give_the_same_spec(self):
        v5 = {k: v for k, v in LLAMA.items() if k not in ("rope_theta", "rope_scaling")}
        v5["rope_parameters"] = {**LLAMA["rope_scaling"], "rope_theta": 500000.0}
        a, b = self.load(LLAMA), self.load(v5)
        np.testing.assert_array_equal(a.inv_freq, b.inv_freq)
        self.assertEqual(b.rope_theta, 500000.0)
        plain = self.load({**{k: v for k, v in QWEN2.items() if k != "rope_theta"},
                           "rope_parameters": {"rope_type": "default", "rope_theta": 1e6}})
        np.testing.assert_array_equal(plain.inv_freq, default_inv_freq(1e6, 128))

    def test_default_frequencies(self):
        spec = self.load(QWEN2)
        np.testing.assert_allclose(spec.inv_freq, [10000.0 ** (-i / 128) for i in range(0, 128, 2)], rtol=1e-6)

    def test_sliding_window_applies_to_mistral_and_to_qwen2_only_when_used(self):
        self.assertIsNone(self.load(QWEN2).sliding_window)
        self.assertEqual(self.load({**QWEN2, "use_sliding_window": True}).sliding_window, 4096)
        self.assertEqual(self.load(MISTRAL).sliding_window, 4096)
        self.assertIsNone(self.load({**MISTRAL, "sliding_window": None}).sliding_window)
        self.assertIsNone(self.load({**LLAMA, "sliding_window": 10}).sliding_window)
        self.assertIsNone(self.load({**QWEN2, "layer_types": ["full_attention"] * 28}).sliding_window)
        self.assertEqual(self.load({**QWEN2, "layer_types": ["full_attention"] * 21 + ["sliding_attention"] * 7}).sliding_window, 4096)
        self.assertFieldError({**QWEN2, "layer_types": ["chunked_attention"]}, "layer_types", "chunked_attention")

    def test_biases_and_prm_architectures(self):
        self.assertEqual((self.load(QWEN2).qkv_bias, self.load(QWEN2).o_bias), (True, False))
        self.assertEqual((self.load(MISTRAL).qkv_bias, self.load(MISTRAL).o_bias), (False, False))
        self.assertEqual(self.load({**LLAMA, "attention_bias": True}).o_bias, True)
        self.assertEqual(self.load({**QWEN2, "architectures": ["Qwen2ForProcessRewardModel"]}).checkpoint_head, "two_class")
        self.assertEqual(self.load({**QWEN2, "architectures": ["Qwen2ForPrmModel"]}).checkpoint_head, "value")
        self.assertEqual(self.load(QWEN2).head_dim, 128)

    def test_malformed_json_names_the_line(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "config.json")
            with open(path, "w") as f:
                f.write('{\n  "a": 1,\n  "b": \n}')
            with self.assertRaisesRegex(ConfigError, r"config\.json:4: malformed JSON"):
                load_config(path)

    def test_parse_without_a_file(self):
        with self.assertRaisesRegex(ConfigError, "field 'hidden_act'"):
            parse_config({**LLAMA, "hidden_act": "relu"})


if __name__ == "__main__":
    unittest.main()
