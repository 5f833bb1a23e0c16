import unittest

import export_onnx
import model as M
from train_policy import mean_row_tokens, tokens_seen


class PretrainingTokensTests(unittest.TestCase):
    def test_tokens_seen_is_rows_seen_times_the_mean_row_length(self):
        row = mean_row_tokens(set(), sample=200)
        self.assertGreater(row, 10)   # a prompt, a solution and EOS: tens of tokens a row
        self.assertAlmostEqual(tokens_seen(1750, 256, row) / row, 1750 * 256, delta=1750 * 256 * 0.01)
        self.assertIsInstance(tokens_seen(1750, 256, row), int)

    def test_the_manifest_carries_pretraining_tokens_only_when_known(self):
        gpt = M.GPT(M.Config(n_layer=1, n_head=1, n_embd=8, max_positions=16))
        self.assertNotIn("pretraining_tokens", export_onnx.manifest(gpt, "policy", "policy.onnx"))
        m = export_onnx.manifest(gpt, "policy-large", "policy-large.onnx", 123456789.0)
        self.assertEqual(m["pretraining_tokens"], 123456789)
        self.assertIsInstance(m["pretraining_tokens"], int)


if __name__ == "__main__":
    unittest.main()
