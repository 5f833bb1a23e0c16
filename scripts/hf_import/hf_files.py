"""The non-weight files of a Hugging Face checkpoint: tokenizer.json (token strings of ids),
tokenizer_config.json (special tokens, chat template), chat_template.jinja, generation_config.json
(stop ids). Errors name the file and the field."""
from __future__ import annotations

import json
import os


class CheckpointFileError(Exception):
    pass


def read_json(path: str, required: bool = True) -> dict | None:
    if not os.path.exists(path):
        if required:
            raise CheckpointFileError(f"{path}: not found")
        return None
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except json.JSONDecodeError as e:
        raise CheckpointFileError(f"{path}:{e.lineno}: malformed JSON ({e.msg})") from e
    if not isinstance(data, dict):
        raise CheckpointFileError(f"{path}:1: expected a JSON object")
    return data


class Vocabulary:
    """id <-> token string of tokenizer.json: model.vocab (a {token: id} object, or Unigram's
    [[token, score], ...] list) plus added_tokens (special tokens live there)."""

    def __init__(self, path: str):
        self.path = path
        tj = read_json(path)
        model = tj.get("model")
        if not isinstance(model, dict) or "vocab" not in model:
            raise CheckpointFileError(f"{path}: field 'model.vocab' missing")
        vocab = model["vocab"]
        if isinstance(vocab, dict):
            self.to_id = {str(k): int(v) for k, v in vocab.items()}
        elif isinstance(vocab, list):
            self.to_id = {str(entry[0]): i for i, entry in enumerate(vocab)}
        else:
            raise CheckpointFileError(f"{path}: field 'model.vocab' is neither an object nor a list")
        for t in tj.get("added_tokens") or []:
            self.to_id[t["content"]] = int(t["id"])
        self.to_token = {i: s for s, i in self.to_id.items()}

    def token(self, token_id: int, field: str) -> str:
        if token_id not in self.to_token:
            raise CheckpointFileError(f"{self.path}: token id {token_id} (from {field}) is not in the vocabulary")
        return self.to_token[token_id]


def special_token(tokenizer_config: dict | None, key: str) -> str | None:
    """tokenizer_config.json's bos_token/eos_token/pad_token: a string, an AddedToken object or null."""
    v = (tokenizer_config or {}).get(key)
    if isinstance(v, dict):
        v = v.get("content")
    return v if isinstance(v, str) and v else None


def chat_template(folder: str, tokenizer_config: dict | None) -> str | None:
    """The template transformers would use: chat_template.jinja beside the checkpoint (transformers
    >= 4.43 saves it there and prefers it), else tokenizer_config.json's `chat_template`, a string or
    a list of {name, template} (the one named "default")."""
    jinja = os.path.join(folder, "chat_template.jinja")
    if os.path.exists(jinja):
        with open(jinja, encoding="utf-8") as f:
            return f.read()
    t = (tokenizer_config or {}).get("chat_template")
    if t is None or isinstance(t, str):
        return t
    where = os.path.join(folder, "tokenizer_config.json")
    if isinstance(t, list):
        named = {e.get("name"): e.get("template") for e in t if isinstance(e, dict)}
        if isinstance(named.get("default"), str):
            return named["default"]
        raise CheckpointFileError(f"{where}: field 'chat_template': a list without a template named 'default' "
                                  f"(names: {', '.join(map(str, named))})")
    raise CheckpointFileError(f"{where}: field 'chat_template': expected a string or a list of {{name, template}}")


def stop_ids(generation_config: dict | None, config_eos: list[int], folder: str) -> list[int]:
    """generation_config.json's eos_token_id (int or list), else config.json's."""
    v = (generation_config or {}).get("eos_token_id")
    ids = [v] if isinstance(v, int) else list(v) if isinstance(v, list) else list(config_eos)
    if not ids or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise CheckpointFileError(f"{os.path.join(folder, 'generation_config.json')}: field 'eos_token_id': "
                                  f"expected an id or a list of ids (also missing from config.json), got {v!r}")
    return list(dict.fromkeys(ids))
