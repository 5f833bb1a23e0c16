"""add_fillers on copies of the fixture tokenizers: every id past the fixture's own decodes to text, and the same
filler text means the same k in the policy's and the PRM's tokenizer (run by scripts/test.sh)."""
import json
import os
import shutil
import tempfile
import unittest

from fillers import FILLER, add_fillers

HF = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "Fixtures", "hf")


class AddFillersTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.dir)

    def filled(self, family, vocab):
        path = os.path.join(self.dir, family + ".json")
        shutil.copy(os.path.join(HF, family, "tokenizer.json"), path)
        before = json.load(open(path))
        n = add_fillers(path, vocab)
        return before, json.load(open(path)), n

    def test_every_id_up_to_the_vocabulary_has_a_token(self):
        before, after, n = self.filled("llama-policy", 5000)
        ids = set(after["model"]["vocab"].values()) | {x["id"] for x in after["added_tokens"]}
        self.assertEqual(ids, set(range(5000)))
        self.assertEqual(n, 5000 - len(before["model"]["vocab"]) - len(before["added_tokens"]))
        fillers = [x for x in after["added_tokens"] if x["content"].startswith(FILLER)]
        self.assertEqual(len(fillers), n)
        self.assertFalse(any(x["special"] or x["normalized"] for x in fillers))
        self.assertEqual(len({x["content"] for x in fillers}), n)
        self.assertEqual(before["added_tokens"], after["added_tokens"][:len(before["added_tokens"])])
        self.assertEqual(before["model"], after["model"])

    def test_the_prm_knows_every_policy_filler(self):
        _, policy, _ = self.filled("llama-policy", 6000)
        _, prm, _ = self.filled("qwen-prm", 7000)
        policy_text = {x["content"] for x in policy["added_tokens"] if x["content"].startswith(FILLER)}
        prm_text = {x["content"] for x in prm["added_tokens"] if x["content"].startswith(FILLER)}
        self.assertTrue(policy_text <= prm_text)

    def test_no_filler_when_the_tokenizer_covers_the_vocabulary(self):
        before, after, n = self.filled("qwen-prm", 10)
        self.assertEqual(n, 0)
        self.assertEqual(before, after)


if __name__ == "__main__":
    unittest.main()
