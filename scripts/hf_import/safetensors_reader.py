"""Reads Hugging Face safetensors checkpoints with numpy alone (no torch, no safetensors package).

A .safetensors file is an 8-byte little-endian header length, a JSON header mapping each tensor
name to {dtype, shape, data_offsets: [begin, end]} (offsets relative to the end of the header),
then the raw little-endian buffers. Files are memory-mapped: a tensor is read (and converted to
float32) only when asked for, so a 7B checkpoint never sits in memory whole.
A sharded checkpoint has model.safetensors.index.json whose "weight_map" names each tensor's shard.
"""
from __future__ import annotations

import json
import os
import struct

import numpy as np

# safetensors dtype -> (numpy storage type, bytes per element). BF16 is stored as uint16 and widened
# by a bit shift: a bfloat16 is the top half of a float32, so the conversion is exact.
DTYPES = {"BF16": (np.uint16, 2), "F16": (np.float16, 2), "F32": (np.float32, 4)}
INDEX = "model.safetensors.index.json"
# Elements converted at a time when a tensor is read as float16 (Checkpoint.get).
BLOCK_ELEMENTS = 16 << 20
SINGLE = "model.safetensors"


class CheckpointError(Exception):
    """A checkpoint file that cannot be read as asked; the message names the file and the tensor."""


def bf16_to_float32(raw: np.ndarray) -> np.ndarray:
    wide = raw.astype(np.uint32)
    wide <<= 16   # in place: an embedding table is a GiB in float32, one copy is enough
    return wide.view(np.float32)


def float32_to_bf16(x: np.ndarray) -> np.ndarray:
    """Round to nearest even, as torch does (used by tests and fixtures written here). uint32
    arithmetic: only NaNs could wrap around, and they are set apart."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    bits = x.view(np.uint32)
    rounded = ((bits + (np.uint32(0x7FFF) + ((bits >> 16) & np.uint32(1)))) >> 16).astype(np.uint16)
    nan = np.isnan(x)
    if nan.any():
        rounded[nan] = ((bits[nan] >> 16) | 0x0040).astype(np.uint16)   # stays a (quiet) NaN
    return rounded


class SafetensorsFile:
    def __init__(self, path: str):
        self.path = path
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            head = f.read(8)
            if len(head) < 8:
                raise CheckpointError(f"{path}: not a safetensors file (shorter than its 8-byte header length)")
            (n,) = struct.unpack("<Q", head)
            if n > size - 8:
                raise CheckpointError(f"{path}: header length {n} runs past the end of the file ({size} bytes)")
            try:
                header = json.loads(f.read(n).decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as e:
                raise CheckpointError(f"{path}: header is not valid JSON ({e})") from e
        if not isinstance(header, dict):
            raise CheckpointError(f"{path}: header is not a JSON object")
        self.metadata = header.pop("__metadata__", None) or {}
        self.data_start = 8 + n
        self.entries: dict[str, tuple[str, tuple[int, ...], int, int]] = {}
        for name, e in header.items():
            try:
                dtype, shape, (begin, end) = e["dtype"], tuple(int(s) for s in e["shape"]), e["data_offsets"]
            except (KeyError, TypeError, ValueError) as err:
                raise CheckpointError(f"{path}: tensor '{name}': malformed header entry {e!r}") from err
            if dtype not in DTYPES:
                raise CheckpointError(f"{path}: tensor '{name}': dtype {dtype} is not supported (BF16, F16 or F32)")
            want = int(np.prod(shape, dtype=np.int64)) * DTYPES[dtype][1]
            if end - begin != want:
                raise CheckpointError(f"{path}: tensor '{name}': data_offsets [{begin}, {end}] hold {end - begin} bytes, "
                                      f"shape {list(shape)} of {dtype} needs {want}")
            if begin < 0 or self.data_start + end > size:
                raise CheckpointError(f"{path}: tensor '{name}': data_offsets [{begin}, {end}] run past the end of the file")
            self.entries[name] = (dtype, shape, begin, end)

    def raw(self, name: str) -> np.ndarray:
        """The tensor as stored (BF16 as uint16): a read-only memory map of just its bytes. Mapping
        per tensor, not the whole file, lets the pages go once the caller drops the array: a 7B
        import never holds the checkpoint's pages in its resident set."""
        if name not in self.entries:
            raise CheckpointError(f"{self.path}: no tensor '{name}'")
        dtype, shape, begin, end = self.entries[name]
        if end == begin:
            return np.zeros(shape, DTYPES[dtype][0])
        return np.memmap(self.path, dtype=DTYPES[dtype][0], mode="r", offset=self.data_start + begin, shape=shape)

    def float32(self, name: str) -> np.ndarray:
        raw = self.raw(name)
        if self.entries[name][0] == "BF16":
            return bf16_to_float32(raw)
        return raw.astype(np.float32)


class Checkpoint:
    """Every tensor of a checkpoint folder (single file or sharded), read on demand. Remembers which
    tensors were read, so the importer can refuse a checkpoint holding weights its graph ignores."""

    def __init__(self, folder: str):
        self.folder = folder
        index = os.path.join(folder, INDEX)
        single = os.path.join(folder, SINGLE)
        self.files: dict[str, SafetensorsFile] = {}
        self.where: dict[str, SafetensorsFile] = {}
        if os.path.exists(index):
            try:
                with open(index, encoding="utf-8") as f:
                    weight_map = json.load(f)["weight_map"]
            except (json.JSONDecodeError, KeyError, TypeError) as e:
                raise CheckpointError(f"{index}: expected a JSON object with a 'weight_map' object ({e})") from e
            for name, shard in weight_map.items():
                path = os.path.join(folder, shard)
                if shard not in self.files:
                    if not os.path.exists(path):
                        raise CheckpointError(f"{index}: tensor '{name}': shard {shard} not found in {folder}")
                    self.files[shard] = SafetensorsFile(path)
                if name not in self.files[shard].entries:
                    raise CheckpointError(f"{index}: tensor '{name}' is mapped to {shard}, which does not hold it")
                self.where[name] = self.files[shard]
            for shard, sf in self.files.items():
                stray = sorted(set(sf.entries) - set(weight_map))
                if stray:
                    raise CheckpointError(f"{sf.path}: tensor '{stray[0]}' is not in {INDEX}")
        elif os.path.exists(single):
            sf = SafetensorsFile(single)
            self.files[SINGLE] = sf
            self.where = {name: sf for name in sf.entries}
        else:
            others = sorted(f for f in os.listdir(folder) if f.endswith((".bin", ".pt", ".pth", ".safetensors")))
            hint = f" (found {', '.join(others)}: only {SINGLE} or {INDEX} + shards are read)" if others else ""
            raise CheckpointError(f"{folder}: no {SINGLE} or {INDEX}{hint}")
        self.used: set[str] = set()

    def names(self) -> list[str]:
        return sorted(self.where)

    def has(self, name: str) -> bool:
        return name in self.where

    def shape(self, name: str) -> tuple[int, ...]:
        return self._file(name).entries[name][1]

    def dtype(self, name: str) -> str:
        return self._file(name).entries[name][0]

    def get(self, name: str, dtype=np.float32) -> np.ndarray:
        """The tensor as a fresh array of `dtype` (float32 or float16); marks it used. float16 is
        converted in row blocks through float32, so an embedding table never exists whole in float32."""
        f = self._file(name)
        if np.dtype(dtype) == np.float32 or len(f.entries[name][1]) == 0:
            arr = f.float32(name).astype(dtype, copy=False)
        else:
            raw = f.raw(name)
            arr = np.empty(raw.shape, dtype)
            step = max(1, BLOCK_ELEMENTS // max(1, raw[0].size))
            widen = bf16_to_float32 if f.entries[name][0] == "BF16" else (lambda r: r.astype(np.float32))
            for i in range(0, raw.shape[0], step):
                arr[i:i + step] = widen(raw[i:i + step])
            del raw
        self.used.add(name)
        return arr

    def _file(self, name: str) -> SafetensorsFile:
        if name not in self.where:
            raise CheckpointError(f"{self.folder}: the checkpoint has no tensor '{name}'")
        return self.where[name]


def write_safetensors(path: str, tensors: dict[str, np.ndarray], dtypes: dict[str, str] | None = None,
                      metadata: dict[str, str] | None = None) -> None:
    """Writes a safetensors file (tests and hand-made checkpoints). dtypes: name -> BF16/F16/F32
    (default F32); arrays are float32 and converted here."""
    dtypes = dtypes or {}
    header: dict = {"__metadata__": metadata} if metadata else {}
    blobs = []
    offset = 0
    for name, arr in tensors.items():
        dt = dtypes.get(name, "F32")
        data = {"BF16": lambda a: float32_to_bf16(a), "F16": lambda a: a.astype(np.float16),
                "F32": lambda a: a.astype(np.float32)}[dt](np.asarray(arr, dtype=np.float32))
        raw = np.ascontiguousarray(data).tobytes()
        header[name] = {"dtype": dt, "shape": list(np.shape(arr)), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)   # the format aligns the data start to 8 bytes
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)
