"""Run: /usr/bin/python3 -m unittest discover -s scripts/hf_import -p 'test_*.py'"""
from __future__ import annotations

import json
import os
import struct
import tempfile
import unittest

import numpy as np

from safetensors_reader import Checkpoint, CheckpointError, SafetensorsFile, bf16_to_float32, float32_to_bf16, write_safetensors


class Bf16Test(unittest.TestCase):
    def test_known_bit_patterns(self):
        x = np.array([1.0, -2.0, 0.0, 3.140625, np.inf], dtype=np.float32)
        bits = float32_to_bf16(x)
        self.assertEqual(list(bits), [0x3F80, 0xC000, 0x0000, 0x4049, 0x7F80])
        np.testing.assert_array_equal(bf16_to_float32(bits), x)
        self.assertTrue(np.isnan(bf16_to_float32(float32_to_bf16(np.array([np.nan, -np.nan], np.float32)))).all())

    def test_rounds_to_nearest_even_like_torch(self):
        # 1 + 2^-8 is halfway between bf16 1.0 and 1.0078125: ties go to the even mantissa (1.0);
        # 1 + 3*2^-8 is halfway between 1.0078125 and 1.015625: goes up to the even one.
        x = np.array([1 + 2**-8, 1 + 3 * 2**-8, 1 + 2**-8 + 2**-20], dtype=np.float32)
        np.testing.assert_array_equal(bf16_to_float32(float32_to_bf16(x)), [1.0, 1.015625, 1.0078125])

    def test_file_round_trip_of_every_dtype(self):
        rng = np.random.default_rng(0)
        a = rng.standard_normal((3, 5)).astype(np.float32)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "model.safetensors")
            write_safetensors(path, {"a16": a, "h16": a, "f32": a, "scalar": np.float32(2.5)},
                              {"a16": "BF16", "h16": "F16"}, metadata={"format": "pt"})
            f = SafetensorsFile(path)
            self.assertEqual(f.metadata, {"format": "pt"})
            np.testing.assert_array_equal(f.float32("a16"), bf16_to_float32(float32_to_bf16(a)))
            self.assertLess(np.abs(f.float32("a16") - a).max(), 2**-7 * np.abs(a).max())
            np.testing.assert_array_equal(f.float32("h16"), a.astype(np.float16).astype(np.float32))
            np.testing.assert_array_equal(f.float32("f32"), a)
            self.assertEqual(f.float32("scalar").shape, ())
            self.assertEqual(f.raw("a16").dtype, np.uint16)


class HeaderErrorTest(unittest.TestCase):
    def write_raw(self, d: str, header: dict, data: bytes) -> str:
        text = json.dumps(header).encode()
        path = os.path.join(d, "model.safetensors")
        with open(path, "wb") as f:
            f.write(struct.pack("<Q", len(text)) + text + data)
        return path

    def test_unsupported_dtype_names_file_and_tensor(self):
        with tempfile.TemporaryDirectory() as d:
            path = self.write_raw(d, {"w": {"dtype": "I8", "shape": [2], "data_offsets": [0, 2]}}, b"\0\0")
            with self.assertRaisesRegex(CheckpointError, r"model\.safetensors: tensor 'w': dtype I8 is not supported"):
                SafetensorsFile(path)

    def test_offsets_that_do_not_match_the_shape(self):
        with tempfile.TemporaryDirectory() as d:
            path = self.write_raw(d, {"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 12]}}, b"\0" * 16)
            with self.assertRaisesRegex(CheckpointError, r"tensor 'w': data_offsets \[0, 12\] hold 12 bytes, shape \[2, 2\] of F32 needs 16"):
                SafetensorsFile(path)

    def test_truncated_file(self):
        with tempfile.TemporaryDirectory() as d:
            path = self.write_raw(d, {"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}, b"\0" * 8)
            with self.assertRaisesRegex(CheckpointError, "tensor 'w'.*past the end of the file"):
                SafetensorsFile(path)
            with open(path, "wb") as f:
                f.write(b"\x01\x02")
            with self.assertRaisesRegex(CheckpointError, "not a safetensors file"):
                SafetensorsFile(path)


class ShardedTest(unittest.TestCase):
    def make(self, d: str, index: dict | None = None) -> dict:
        rng = np.random.default_rng(1)
        t = {f"w{i}": rng.standard_normal((4, 2)).astype(np.float32) for i in range(4)}
        write_safetensors(os.path.join(d, "model-00001-of-00002.safetensors"), {"w0": t["w0"], "w1": t["w1"]}, {"w0": "BF16"})
        write_safetensors(os.path.join(d, "model-00002-of-00002.safetensors"), {"w2": t["w2"], "w3": t["w3"]})
        index = index or {"metadata": {"total_size": 0}, "weight_map": {
            "w0": "model-00001-of-00002.safetensors", "w1": "model-00001-of-00002.safetensors",
            "w2": "model-00002-of-00002.safetensors", "w3": "model-00002-of-00002.safetensors"}}
        with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
            json.dump(index, f)
        return t

    def test_reads_every_shard_and_tracks_what_was_read(self):
        with tempfile.TemporaryDirectory() as d:
            t = self.make(d)
            c = Checkpoint(d)
            self.assertEqual(c.names(), ["w0", "w1", "w2", "w3"])
            self.assertEqual(c.dtype("w0"), "BF16")
            np.testing.assert_array_equal(c.get("w3"), t["w3"])
            np.testing.assert_allclose(c.get("w0"), t["w0"], rtol=2**-7)
            self.assertEqual(c.used, {"w0", "w3"})

    def test_float16_reads_in_blocks_equal_the_whole_conversion(self):
        import safetensors_reader
        with tempfile.TemporaryDirectory() as d:
            self.make(d)
            c = Checkpoint(d)
            old = safetensors_reader.BLOCK_ELEMENTS
            safetensors_reader.BLOCK_ELEMENTS = 3   # one 2-wide row per block: four blocks
            try:
                for name in ("w0", "w2"):   # bf16 and f32 on disk
                    got = c.get(name, np.float16)
                    self.assertEqual(got.dtype, np.float16)
                    np.testing.assert_array_equal(got, c.get(name).astype(np.float16))
            finally:
                safetensors_reader.BLOCK_ELEMENTS = old

    def test_index_naming_a_tensor_its_shard_lacks(self):
        with tempfile.TemporaryDirectory() as d:
            self.make(d, {"weight_map": {"w0": "model-00002-of-00002.safetensors"}})
            with self.assertRaisesRegex(CheckpointError, r"index\.json: tensor 'w0' is mapped to model-00002-of-00002\.safetensors, which does not hold it"):
                Checkpoint(d)

    def test_missing_shard_and_stray_tensor(self):
        with tempfile.TemporaryDirectory() as d:
            self.make(d, {"weight_map": {"w0": "model-00009-of-00009.safetensors"}})
            with self.assertRaisesRegex(CheckpointError, "tensor 'w0': shard model-00009-of-00009.safetensors not found"):
                Checkpoint(d)
        with tempfile.TemporaryDirectory() as d:
            self.make(d, {"weight_map": {"w0": "model-00001-of-00002.safetensors"}})
            with self.assertRaisesRegex(CheckpointError, "tensor 'w1' is not in model.safetensors.index.json"):
                Checkpoint(d)

    def test_folder_without_safetensors_says_what_it_found(self):
        with tempfile.TemporaryDirectory() as d:
            open(os.path.join(d, "pytorch_model.bin"), "wb").close()
            with self.assertRaisesRegex(CheckpointError, r"no model\.safetensors.*found pytorch_model\.bin"):
                Checkpoint(d)


if __name__ == "__main__":
    unittest.main()
