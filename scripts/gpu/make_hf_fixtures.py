#!/usr/bin/env python3
"""Tiny random-weight Hugging Face checkpoints in the real on-disk format, with transformers' own outputs,
for the import tests of issue 11 (tests/Fixtures/hf/).

Runs where transformers and tokenizers are (the GPU machine; a CPU is enough). For each family it
1. trains a small tokenizer of the family's kind on GSM8K text (Llama 3: byte-level BPE with the Llama 3
   split regex and ignore_merges; Qwen2: byte-level BPE, NFC, digits split one by one; Mistral: SentencePiece
   style BPE with byte fallback), with the family's real special tokens (at small ids);
2. builds a random model of the real architecture (2 layers, hidden 64), saves it as bf16 safetensors with
   the config.json, tokenizer_config.json (chat template), generation_config.json of the published files;
3. loads the folder back as a user would (AutoTokenizer / from_pretrained, float32) and records in
   reference.json what transformers does: rendered chat prompts and their ids, greedy tokens, raw-text ids,
   the last prompt position's logits, and PRM step scores computed with each PRM's model-card recipe.
It also writes tokenization/<tokenizer>.jsonl: Hugging Face tokenizers' ids of every MATH-500 problem and
solution (the golden tests of the C# tokenizer).

    python3 scripts/gpu/make_hf_fixtures.py --data .gpu-data --out /tmp/hf
"""
from __future__ import annotations

import argparse
import json
import os
import random
import traceback

import torch
from safetensors.torch import load_file, save_file
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

LLAMA3_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                r"|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
               r"|\s*[\r\n]+|\s+(?!\S)|\s+")
LLAMA3_SPECIALS = ["<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>",
                   "<|reserved_special_token_1|>", "<|finetune_right_pad_id|>", "<|reserved_special_token_2|>",
                   "<|start_header_id|>", "<|end_header_id|>", "<|eom_id|>", "<|eot_id|>", "<|python_tag|>"]
QWEN_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|object_ref_start|>", "<|object_ref_end|>",
                 "<|box_start|>", "<|box_end|>", "<|quad_start|>", "<|quad_end|>", "<|vision_start|>",
                 "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>"]
QWEN_NONSPECIAL = ["<tool_call>", "</tool_call>"]
DATE = "26 Jul 2024"
DIMS = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2)
NEW_TOKENS = 24

SHEPHERD_LINES = [
    "Step 1: Janet's ducks lay 16 eggs per day. ки\nStep 2: She eats three for breakfast, so 16 - 3 = 13 eggs left. ки",
    "Step 3: She sells the remainder at $2 each: 9 * 2 = 18 dollars. The answer is: 18 ки",
    "Is 3 + 4 = 7? + - + - ки + ки - ки",
]
EXTRA_TEXT = ["Über naïve café: x² + y² = r², 1,000.99€, 10 m², αβγ ∑ ∫ √2 ≤ ≥ ≠ ≈ — “quotes” ‘single’ …",
              "数学问题：求解 x 的值。答案是 42。", "Дано: треугольник ABC, найдите угол. Ответ: 45°.",
              "emoji 🙂 and tabs\tand  double  spaces and trailing spaces   \n\n\nnew lines\r\n"]


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# ---------------------------------------------------------------- tokenizers

def finish(tok: Tokenizer, edit) -> Tokenizer:
    """Round-trips through JSON so that fields the trainer resets can be set as the published files have them."""
    d = json.loads(tok.to_str())
    edit(d)
    return Tokenizer.from_str(json.dumps(d, ensure_ascii=False))


def byte_level(corpus, split, specials, nonspecial=(), nfc=False, ignore_merges=False, bos=None, vocab=900):
    tok = Tokenizer(models.BPE())
    if nfc:
        tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(split), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(corpus, trainers.BpeTrainer(vocab_size=vocab, show_progress=False,
                                                        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    if nonspecial:
        tok.add_tokens([AddedToken(s, special=False, normalized=False) for s in nonspecial])
    if bos is not None:
        tok.post_processor = processors.Sequence([
            processors.ByteLevel(trim_offsets=False),
            processors.TemplateProcessing(single=f"{bos} $A", pair=f"{bos} $A {bos} $B:1",
                                          special_tokens=[(bos, tok.token_to_id(bos))])])
    else:
        tok.post_processor = processors.ByteLevel(trim_offsets=False)

    def edit(d):
        d["model"]["ignore_merges"] = ignore_merges
    return finish(tok, edit)


def sentencepiece_bpe(corpus, vocab=900):
    byte_tokens = [f"<0x{i:02X}>" for i in range(256)]
    tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    # Training only: words start at "▁", so no merge spans two words (as SentencePiece trains).
    tok.pre_tokenizer = pre_tokenizers.Split("▁", behavior="merged_with_next")
    tok.train_from_iterator(corpus, trainers.BpeTrainer(vocab_size=vocab, show_progress=False,
                                                        special_tokens=["<unk>", "<s>", "</s>"] + byte_tokens))
    tok.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                                     decoders.Strip(" ", 1, 0)])
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B:1",
                                                       special_tokens=[("<s>", 1)])

    def edit(d):
        d["pre_tokenizer"] = None   # the published Mistral/Llama-2 tokenizer.json has none
        d["added_tokens"] = [t for t in d["added_tokens"] if t["content"] in ("<unk>", "<s>", "</s>")]
        d["model"]["byte_fallback"] = True
        d["model"]["fuse_unk"] = True
    return finish(tok, edit)


def added_tokens_decoder(tok: Tokenizer) -> dict:
    d = json.loads(tok.to_str())
    return {str(t["id"]): {k: t[k] for k in ("content", "lstrip", "normalized", "rstrip", "single_word", "special")}
            for t in d["added_tokens"]}


# ---------------------------------------------------------------- checkpoints

def save_weights(out, sd: dict, shards: int = 1):
    sd = {k: v.detach().to(torch.bfloat16).contiguous() for k, v in sd.items()}
    names = sorted(sd)
    if shards == 1:
        save_file(sd, os.path.join(out, "model.safetensors"), metadata={"format": "pt"})
        return
    per = (len(names) + shards - 1) // shards
    weight_map, total = {}, 0
    for s in range(shards):
        file = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
        part = {n: sd[n] for n in names[s * per:(s + 1) * per]}
        save_file(part, os.path.join(out, file), metadata={"format": "pt"})
        for n, t in part.items():
            weight_map[n] = file
            total += t.numel() * 2
    write_json(os.path.join(out, "model.safetensors.index.json"), {"metadata": {"total_size": total}, "weight_map": weight_map})


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


def init_(module, std):
    torch.manual_seed(1234)
    for name, p in module.named_parameters():
        if p.dim() >= 2:
            torch.nn.init.normal_(p, std=std)
        elif "norm" in name:
            torch.nn.init.normal_(p, mean=1.0, std=0.1)
        else:
            torch.nn.init.normal_(p, std=std)


def bf16_roundtrip(sd):
    return {k: v.to(torch.bfloat16).to(torch.float32) for k, v in sd.items()}


# ---------------------------------------------------------------- reference outputs

def greedy(forward, ids: list[int], n: int):
    """Greedy tokens by full forwards (no cache), float32, with the top-1/top-2 logit gap at each step."""
    ids = list(ids)
    out, gaps = [], []
    for _ in range(n):
        with torch.no_grad():
            logits = forward(torch.tensor([ids]))[0, -1]
        top = torch.topk(logits, 2)
        out.append(int(top.indices[0]))
        gaps.append(float(top.values[0] - top.values[1]))
        ids.append(out[-1])
    return out, gaps


def as_ids(x):
    if isinstance(x, dict) or hasattr(x, "keys"):
        x = x["input_ids"]
    if hasattr(x, "tolist"):
        x = x.tolist()
    if x and isinstance(x[0], list):
        x = x[0]
    return list(x)


def policy_reference(tok, model, problems, system_prompt, chat: bool):
    fwd = lambda t: model(input_ids=t).logits
    rows = []
    for i, problem in enumerate(problems):
        row = {"problem": problem}
        if chat:
            messages = [{"role": "system", "content": system_prompt}, {"role": "user", "content": problem}]
            rendered = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True, date_string=DATE)
            ids = tok(rendered, add_special_tokens=False)["input_ids"]
            via = as_ids(tok.apply_chat_template(messages, tokenize=True, add_generation_prompt=True, date_string=DATE))
            assert via == ids, f"apply_chat_template(tokenize=True) differs from tokenizer(rendered): {via[:20]} vs {ids[:20]}"
            row.update(rendered=rendered, prompt_ids=ids)
            row["greedy_ids"], row["greedy_gaps"] = greedy(fwd, ids, NEW_TOKENS)
            row["greedy_text"] = tok.decode(row["greedy_ids"], skip_special_tokens=True)
            with torch.no_grad():
                gen = model.generate(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                                     max_new_tokens=NEW_TOKENS, do_sample=False)
            row["hf_generate_ids"] = gen[0, len(ids):].tolist()
            if i == 0:
                with torch.no_grad():
                    row["last_logits"] = [round(float(v), 6) for v in fwd(torch.tensor([ids]))[0, -1]]
        raw = tok(problem)["input_ids"]
        row["raw_ids"] = raw
        row["raw_greedy_ids"], row["raw_greedy_gaps"] = greedy(fwd, raw, NEW_TOKENS)
        row["raw_greedy_text"] = tok.decode(row["raw_greedy_ids"], skip_special_tokens=True)
        row["autotokenizer_matches_tokenizers"] = raw_matches(tok, problem)
        rows.append(row)
    return rows


def raw_matches(tok, text):
    """True when transformers' AutoTokenizer gives what the tokenizers library gives from tokenizer.json."""
    raw = Tokenizer.from_file(os.path.join(tok.name_or_path, "tokenizer.json"))
    return tok(text)["input_ids"] == raw.encode(text).ids


def chat_renders(tok, system_prompt):
    cases = [
        ([{"role": "user", "content": "What is $1+1$?"}], True),
        ([{"role": "system", "content": system_prompt}, {"role": "user", "content": "Solve \\(x^2=4\\)."}], True),
        ([{"role": "system", "content": "  spaced system  "}, {"role": "user", "content": "  hi\n"},
          {"role": "assistant", "content": "Step 1.\n\nStep 2."}, {"role": "user", "content": "again"}], False),
        ([{"role": "user", "content": "ünïcödé — \"quotes\" {braces} \\boxed{5}"}], True),
    ]
    out = []
    for messages, gen in cases:
        out.append({"messages": messages, "add_generation_prompt": gen, "date_string": DATE,
                    "text": tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=gen, date_string=DATE)})
    return out


# ---------------------------------------------------------------- families

def config_common(vocab, bos, eos, **kw):
    d = dict(attention_dropout=0.0, bos_token_id=bos, eos_token_id=eos, hidden_act="silu", initializer_range=0.02,
             rms_norm_eps=1e-05, torch_dtype="bfloat16", use_cache=True, vocab_size=vocab, **DIMS)
    d.update(kw)
    return d


def padded_vocab(tok):
    return (tok.get_vocab_size(with_added_tokens=True) + 63) // 64 * 64


def make_llama(out, tok, templates, system_prompt, problems, untied=False, rope_factor=32.0, prm_steps=None):
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaConfig, LlamaForCausalLM
    os.makedirs(out, exist_ok=True)
    V = padded_vocab(tok)
    bos = tok.token_to_id("<|begin_of_text|>")
    eos = [tok.token_to_id(t) for t in ("<|end_of_text|>", "<|eom_id|>", "<|eot_id|>")]
    cfg = config_common(V, bos, eos, architectures=["LlamaForCausalLM"], attention_bias=False, head_dim=16,
                        max_position_embeddings=131072, mlp_bias=False, model_type="llama", pretraining_tp=1,
                        rope_scaling={"factor": rope_factor, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                                      "original_max_position_embeddings": 8192, "rope_type": "llama3"},
                        rope_theta=500000.0, tie_word_embeddings=not untied, transformers_version="4.45.0.dev0")
    model = LlamaForCausalLM(LlamaConfig(**cfg))
    init_(model, 0.1)
    sd = model.state_dict()
    if not untied:
        sd.pop("lm_head.weight", None)
    save_weights(out, sd)
    write_json(os.path.join(out, "config.json"), cfg)
    write_json(os.path.join(out, "generation_config.json"), {"bos_token_id": bos, "do_sample": True, "eos_token_id": eos,
                                                             "temperature": 0.6, "top_p": 0.9, "transformers_version": "4.45.0.dev0"})
    tok.save(os.path.join(out, "tokenizer.json"))
    write_json(os.path.join(out, "tokenizer_config.json"), {
        "added_tokens_decoder": added_tokens_decoder(tok), "bos_token": "<|begin_of_text|>",
        "chat_template": templates["llama"], "clean_up_tokenization_spaces": True, "eos_token": "<|eot_id|>",
        "model_input_names": ["input_ids", "attention_mask"], "model_max_length": 131072,
        "tokenizer_class": "PreTrainedTokenizerFast"})
    write_json(os.path.join(out, "special_tokens_map.json"), {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"})
    htok = AutoTokenizer.from_pretrained(out)
    hm = AutoModelForCausalLM.from_pretrained(out, torch_dtype=torch.float32).eval()
    ref = {"architecture": "LlamaForCausalLM", "loaded_config": str(getattr(hm.config, "rope_parameters", hm.config.rope_scaling)),
           "chat_renders": chat_renders(htok, system_prompt), "system_prompt": system_prompt, "date_string": DATE}
    if prm_steps is None:
        ref["role"] = "policy"
        ref["prompts"] = policy_reference(htok, hm, problems, system_prompt, chat=True)
    else:
        ref["role"] = "prm"
        ref["prm_format"] = "rlhflow"
        ref["prm"] = rlhflow_scores(htok, hm, prm_steps)
    write_json(os.path.join(out, "reference.json"), ref)


def rlhflow_scores(tok, model, examples):
    plus, minus = tok.encode("+")[-1], tok.encode("-")[-1]
    rows = []
    for problem, steps in examples:
        conv, scores = [], []
        for k, step in enumerate(steps):
            conv.append({"role": "user", "content": problem + " " + step if k == 0 else step})
            conv.append({"role": "assistant", "content": "+"})
            text = tok.apply_chat_template(conv, tokenize=False, date_string=DATE)
            ids = tok(text, add_special_tokens=False)["input_ids"]
            with torch.no_grad():
                logits = model(input_ids=torch.tensor([ids])).logits[:, -3, [plus, minus]]
            scores.append(float(logits.softmax(dim=-1)[0, 0]))
        rows.append({"problem": problem, "steps": steps, "input_ids": ids, "rendered": text, "scores": scores,
                     "label_token_ids": [plus, minus]})
    return rows


def qwen_config(tok, arch, tie, **kw):
    V = padded_vocab(tok)
    return config_common(V, tok.token_to_id("<|endoftext|>"), tok.token_to_id("<|im_end|>"), architectures=[arch],
                         max_position_embeddings=4096, max_window_layers=2, model_type="qwen2", rope_theta=10000.0,
                         sliding_window=4096, tie_word_embeddings=tie, transformers_version="4.37.0",
                         use_sliding_window=False, **kw)


def save_qwen_tokenizer(out, tok, template, separate_template_file, bos=None):
    tok.save(os.path.join(out, "tokenizer.json"))
    tc = {"add_prefix_space": False, "added_tokens_decoder": added_tokens_decoder(tok), "bos_token": bos,
          "clean_up_tokenization_spaces": False, "eos_token": "<|im_end|>", "errors": "replace",
          "model_max_length": 131072, "pad_token": "<|endoftext|>", "split_special_tokens": False,
          "tokenizer_class": "Qwen2Tokenizer", "unk_token": None}
    if separate_template_file:
        with open(os.path.join(out, "chat_template.jinja"), "w", encoding="utf-8") as f:
            f.write(template)
    else:
        tc["chat_template"] = template
    write_json(os.path.join(out, "tokenizer_config.json"), tc)


def make_qwen2_policy(out, tok, templates, system_prompt, problems):
    from transformers import AutoModelForCausalLM, AutoTokenizer, Qwen2Config, Qwen2ForCausalLM
    os.makedirs(out, exist_ok=True)
    cfg = qwen_config(tok, "Qwen2ForCausalLM", True)
    model = Qwen2ForCausalLM(Qwen2Config(**cfg))
    init_(model, 0.1)
    sd = model.state_dict()
    sd.pop("lm_head.weight", None)
    save_weights(out, sd, shards=2)
    write_json(os.path.join(out, "config.json"), cfg)
    eos = [tok.token_to_id("<|im_end|>"), tok.token_to_id("<|endoftext|>")]
    write_json(os.path.join(out, "generation_config.json"), {
        "bos_token_id": tok.token_to_id("<|endoftext|>"), "do_sample": True, "eos_token_id": eos,
        "pad_token_id": tok.token_to_id("<|endoftext|>"), "repetition_penalty": 1.05, "temperature": 0.7,
        "top_k": 20, "top_p": 0.8, "transformers_version": "4.37.0"})
    save_qwen_tokenizer(out, tok, templates["qwen"], separate_template_file=True)
    htok = AutoTokenizer.from_pretrained(out)
    hm = AutoModelForCausalLM.from_pretrained(out, torch_dtype=torch.float32).eval()
    ref = {"architecture": "Qwen2ForCausalLM", "role": "policy", "system_prompt": system_prompt, "date_string": DATE,
           "chat_renders": chat_renders(htok, system_prompt),
           "prompts": policy_reference(htok, hm, problems, system_prompt, chat=True)}
    write_json(os.path.join(out, "reference.json"), ref)


def make_qwen_prm(out, tok, templates, examples):
    from transformers import AutoTokenizer, Qwen2Config, Qwen2Model
    os.makedirs(out, exist_ok=True)
    cfg = qwen_config(tok, "Qwen2ForProcessRewardModel", False)
    cfg["auto_map"] = {"AutoConfig": "configuration_qwen2_rm.Qwen2RMConfig",
                       "AutoModel": "modeling_qwen2_rm.Qwen2ForProcessRewardModel"}
    base = Qwen2Model(Qwen2Config(**cfg))
    h, V = DIMS["hidden_size"], cfg["vocab_size"]
    score = torch.nn.Sequential(torch.nn.Linear(h, h), torch.nn.ReLU(), torch.nn.Linear(h, 2))
    lm_head = torch.nn.Linear(h, V, bias=False)
    for m in (base, score, lm_head):
        init_(m, 0.1)
    sd = {"model." + k: v for k, v in base.state_dict().items()}
    sd.update({"score." + k: v for k, v in score.state_dict().items()})
    sd["lm_head.weight"] = lm_head.weight
    save_weights(out, sd)
    write_json(os.path.join(out, "config.json"), cfg)
    write_json(os.path.join(out, "generation_config.json"), {"bos_token_id": cfg["bos_token_id"], "eos_token_id": cfg["eos_token_id"],
                                                             "transformers_version": "4.37.0"})
    save_qwen_tokenizer(out, tok, templates["qwen"], separate_template_file=False)
    # Reference: the weights as stored (bf16) in float32, the model card's code.
    w = bf16_roundtrip(load_file(os.path.join(out, "model.safetensors")))
    base.load_state_dict({k[6:]: v for k, v in w.items() if k.startswith("model.")})
    score.load_state_dict({k[6:]: v for k, v in w.items() if k.startswith("score.")})
    htok = AutoTokenizer.from_pretrained(out)
    sys_prompt = "Please reason step by step, and put your final answer within \\boxed{}."
    sep = htok.encode("<extra_0>")[0]
    rows = []
    for problem, steps in examples:
        messages = [{"role": "system", "content": sys_prompt}, {"role": "user", "content": problem},
                    {"role": "assistant", "content": "<extra_0>".join(steps) + "<extra_0>"}]
        text = htok.apply_chat_template(messages, tokenize=False, add_generation_prompt=False)
        ids = htok.encode(text, return_tensors="pt")
        with torch.no_grad():
            logits = score(base(input_ids=ids).last_hidden_state)
        probs = torch.softmax(logits, dim=-1) * (ids == sep).unsqueeze(-1)
        sample = probs[0]
        scores = sample[sample != 0].view(-1, 2)[:, 1].tolist()
        rows.append({"problem": problem, "steps": steps, "rendered": text, "input_ids": ids[0].tolist(), "scores": scores})
    write_json(os.path.join(out, "reference.json"), {"architecture": "Qwen2ForProcessRewardModel", "role": "prm",
                                                     "prm_format": "qwen-prm", "system_prompt": sys_prompt, "prm": rows})


def make_skywork(out, tok, templates, examples):
    from transformers import AutoTokenizer, Qwen2Config, Qwen2ForCausalLM
    os.makedirs(out, exist_ok=True)
    cfg = qwen_config(tok, "Qwen2ForPrmModel", False)
    model = Qwen2ForCausalLM(Qwen2Config(**cfg))
    v_head = torch.nn.Linear(DIMS["hidden_size"], 1)
    init_(model, 0.1)
    init_(v_head, 0.3)
    sd = dict(model.state_dict())
    sd["v_head.summary.weight"], sd["v_head.summary.bias"] = v_head.weight, v_head.bias
    save_weights(out, sd)
    write_json(os.path.join(out, "config.json"), cfg)
    write_json(os.path.join(out, "generation_config.json"), {"bos_token_id": cfg["bos_token_id"], "eos_token_id": cfg["eos_token_id"]})
    save_qwen_tokenizer(out, tok, templates["qwen"], separate_template_file=False, bos="<|endoftext|>")
    w = bf16_roundtrip(load_file(os.path.join(out, "model.safetensors")))
    model.load_state_dict({k: v for k, v in w.items() if not k.startswith("v_head.")})
    v_head.load_state_dict({"weight": w["v_head.summary.weight"], "bias": w["v_head.summary.bias"]})
    htok = AutoTokenizer.from_pretrained(out)
    step_token = "\n"
    step_id = htok.encode(step_token)[-1]
    rows = []
    for problem, steps in examples:
        # Skywork's io_utils.prepare_input, with response = "\n".join(steps)
        ids = htok.encode(htok.bos_token + problem + "\n")
        flags = [0] * len(ids)
        for step in "\n".join(steps).split(step_token):
            step_ids = (htok.encode(step) if step != "" else []) + [step_id]
            f = [0] * len(step_ids)
            f[-1] = 1
            ids += step_ids
            flags += f
        with torch.no_grad():
            hidden = model.model(input_ids=torch.tensor([ids])).last_hidden_state
            values = torch.sigmoid(v_head(hidden).squeeze(-1))[0]
        scores = [float(values[i]) for i, f in enumerate(flags) if f == 1]
        rows.append({"problem": problem, "steps": steps, "input_ids": ids, "scores": scores})
    write_json(os.path.join(out, "reference.json"), {"architecture": "Qwen2ForPrmModel", "role": "prm",
                                                     "prm_format": "skywork", "step_token": step_token, "prm": rows})


def make_shepherd(out, tok, examples):
    from transformers import AutoModelForCausalLM, AutoTokenizer, MistralConfig, MistralForCausalLM
    os.makedirs(out, exist_ok=True)
    cfg = config_common(padded_vocab(tok), 1, 2, architectures=["MistralForCausalLM"], max_position_embeddings=32768,
                        model_type="mistral", rope_theta=10000.0, sliding_window=4096, tie_word_embeddings=False,
                        transformers_version="4.34.0.dev0")
    model = MistralForCausalLM(MistralConfig(**cfg))
    init_(model, 0.1)
    save_weights(out, model.state_dict())
    write_json(os.path.join(out, "config.json"), cfg)
    write_json(os.path.join(out, "generation_config.json"), {"bos_token_id": 1, "eos_token_id": 2})
    tok.save(os.path.join(out, "tokenizer.json"))
    write_json(os.path.join(out, "tokenizer_config.json"), {
        "add_bos_token": True, "add_eos_token": False, "added_tokens_decoder": added_tokens_decoder(tok),
        "bos_token": "<s>", "clean_up_tokenization_spaces": False, "eos_token": "</s>", "legacy": True,
        "model_max_length": 1000000000000000019884624838656, "pad_token": None, "sp_model_kwargs": {},
        "spaces_between_special_tokens": False, "tokenizer_class": "LlamaTokenizer", "unk_token": "<unk>",
        "use_default_system_prompt": False})
    htok = AutoTokenizer.from_pretrained(out)
    hm = AutoModelForCausalLM.from_pretrained(out, torch_dtype=torch.float32).eval()
    # The model card's recipe.
    candidates = htok.encode("+ -")[1:]
    tag_id = htok.encode("ки")[-1]
    rows = []
    for problem, steps in examples:
        output = "\n".join(s + " ки" for s in steps)
        text = f"{problem} {output}"
        ids = torch.tensor([htok.encode(text)])
        with torch.no_grad():
            logits = hm(ids).logits[:, :, candidates]
        scores = logits.softmax(dim=-1)[:, :, 0]
        rows.append({"problem": problem, "steps": steps, "text": text, "input_ids": ids[0].tolist(),
                     "scores": scores[ids == tag_id].tolist()})
    raw_tok = Tokenizer.from_file(os.path.join(out, "tokenizer.json"))
    write_json(os.path.join(out, "reference.json"), {
        "architecture": "MistralForCausalLM", "role": "prm", "prm_format": "math-shepherd",
        "label_token_ids": candidates, "step_tag_id": tag_id, "prm": rows,
        "autotokenizer_matches_tokenizers": all(htok.encode(r["text"]) == raw_tok.encode(r["text"]).ids for r in rows)})


def prm_examples(math):
    rows = []
    for r in math[:40]:
        steps = [s.replace("\n", " ").strip() for s in r["solution"].split("\n\n") if s.strip()]
        if 2 <= len(steps) <= 5 and len(r["solution"]) < 700:
            rows.append((r["problem"].replace("\n", " "), steps))
        if len(rows) == 3:
            break
    return rows


def tokenization_goldens(out, name, tok, math):
    with open(os.path.join(out, f"{name}.jsonl"), "w", encoding="utf-8") as f:
        for i, r in enumerate(math):
            for field in ("problem", "solution"):
                enc = tok.encode(r[field])
                f.write(json.dumps({"index": i, "field": field, "ids": enc.ids}) + "\n")
        for j, text in enumerate(EXTRA_TEXT + SHEPHERD_LINES):
            f.write(json.dumps({"index": j, "field": "extra", "text": text, "ids": tok.encode(text).ids}, ensure_ascii=False) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, help="folder with math500_test.jsonl and gsm8k_test.jsonl")
    ap.add_argument("--templates", default="scripts/gpu/hf_templates")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    random.seed(0)
    math = read_jsonl(os.path.join(a.data, "math500_test.jsonl"))
    gsm = read_jsonl(os.path.join(a.data, "gsm8k_test.jsonl"))
    corpus = [r["question"] for r in gsm] + [r["answer"] for r in gsm] + EXTRA_TEXT + SHEPHERD_LINES * 300
    templates = {k: open(os.path.join(a.templates, f), encoding="utf-8").read()
                 for k, f in (("llama", "llama-3.2-instruct.jinja"), ("qwen", "qwen2.5-math-instruct.jinja"))}
    system_prompt = open(os.path.join(a.templates, "search-and-learn-system-prompt.txt"), encoding="utf-8").read()
    problems = [math[0]["problem"], math[3]["problem"], math[7]["problem"]]
    examples = prm_examples(math)
    os.makedirs(a.out, exist_ok=True)
    llama_tok = byte_level(corpus, LLAMA3_SPLIT, LLAMA3_SPECIALS, ignore_merges=True, bos="<|begin_of_text|>")
    qwen_tok = byte_level(corpus, QWEN2_SPLIT, QWEN_SPECIALS, QWEN_NONSPECIAL, nfc=True)
    prm_specials = [s if s != "<|quad_end|>" else "<extra_0>" for s in QWEN_SPECIALS]
    qwen_prm_tok = byte_level(corpus, QWEN2_SPLIT, prm_specials, QWEN_NONSPECIAL, nfc=True)
    sp_tok = sentencepiece_bpe(corpus)
    print("sentencepiece '+ -':", sp_tok.encode("+ -").tokens, "'ки':", sp_tok.encode("ки").tokens)
    tokdir = os.path.join(a.out, "tokenization")
    os.makedirs(tokdir, exist_ok=True)
    status = {}
    for name, tok in (("llama3", llama_tok), ("qwen2", qwen_tok), ("mistral", sp_tok)):
        tokenization_goldens(tokdir, name, tok, math)
    jobs = [
        ("llama-policy", lambda o: make_llama(o, llama_tok, templates, system_prompt, problems)),
        ("qwen2-policy", lambda o: make_qwen2_policy(o, qwen_tok, templates, system_prompt, problems)),
        ("qwen-prm", lambda o: make_qwen_prm(o, qwen_prm_tok, templates, examples)),
        ("math-shepherd", lambda o: make_shepherd(o, sp_tok, examples)),
        ("skywork-prm", lambda o: make_skywork(o, qwen_tok, templates, examples)),
        ("rlhflow-prm", lambda o: make_llama(o, llama_tok, templates, system_prompt, problems, untied=True,
                                             rope_factor=8.0, prm_steps=examples)),
    ]
    for name, job in jobs:
        try:
            job(os.path.join(a.out, name))
            status[name] = "ok"
        except Exception:  # keep going: one call to the GPU machine should bring back every family it can
            status[name] = traceback.format_exc()
            print(name, status[name])
    import tokenizers
    import transformers
    write_json(os.path.join(a.out, "MADE_WITH.json"), {"transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
                                                       "torch": torch.__version__, "status": status})
    print(json.dumps(status, indent=1))


if __name__ == "__main__":
    main()
