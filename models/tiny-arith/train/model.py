"""A small GPT (nanoGPT-like) whose forward pass is the ONNX decoder-with-past layout itself:
explicit attention_mask over past+current keys (left padding), explicit position_ids, and a per-layer
key/value cache. The same module, with a value head, is the PRM.

Runs on torch 1.13 (Debian, CPU) and torch 2.x (GPU). The mask is built from tensors only (cumsum
over ones_like), never from Python ints taken from shapes, so a traced ONNX graph stays valid for
any batch, sequence and past length, an empty past included.
"""
import math
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F

NEG = -1e9  # finite: a fully masked row (a left-pad query) must give numbers, not NaN


@dataclass
class Config:
    vocab_size: int = 257
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 256
    mlp_hidden: int = 768
    max_positions: int = 1024
    value_head: bool = False
    # PRM head input: "hidden" = the last hidden state only; "surprise" = also the model's own surprise at
    # the solution so far (surprise_features): the large LM computes the task's arithmetic far better than
    # the small policy, and a wrong result is a token it did not expect
    value_input: str = "hidden"

    @property
    def head_size(self):
        return self.n_embd // self.n_head

    def to_dict(self):
        return asdict(self)


SMALL = Config()
# The large policy and the PRM: ~4.9x the small policy's parameters; 512 positions are enough for a
# policy or PRM sequence (prompt + at most 192 new tokens) and keep the fp16 ONNX file under 30 MB.
LARGE = Config(n_layer=8, n_head=6, n_embd=384, mlp_hidden=1536, max_positions=512)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.h, self.d = c.n_head, c.head_size
        self.qkv = nn.Linear(c.n_embd, 3 * c.n_embd)
        self.proj = nn.Linear(c.n_embd, c.n_embd)

    def forward(self, x, mask, past):
        b, s = x.shape[0], x.shape[1]
        q, k, v = self.qkv(x).split(self.h * self.d, dim=2)
        q = q.view(b, s, self.h, self.d).transpose(1, 2)
        k = k.view(b, s, self.h, self.d).transpose(1, 2)
        v = v.view(b, s, self.h, self.d).transpose(1, 2)
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        if mask is None and hasattr(F, "scaled_dot_product_attention"):
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # training: no padding, no past
        else:
            if mask is None:
                mask = torch.ones(s, s, dtype=torch.bool, device=x.device).tril()[None]
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(self.d))
            att = att.masked_fill(~mask[:, None, :, :], NEG)
            y = torch.softmax(att, dim=-1) @ v
        y = y.transpose(1, 2).reshape(b, s, self.h * self.d)
        return self.proj(y), (k, v)


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.ln1 = nn.LayerNorm(c.n_embd)
        self.attn = Attention(c)
        self.ln2 = nn.LayerNorm(c.n_embd)
        self.fc = nn.Linear(c.n_embd, c.mlp_hidden)
        self.out = nn.Linear(c.mlp_hidden, c.n_embd)

    def forward(self, x, mask, past):
        a, present = self.attn(self.ln1(x), mask, past)
        x = x + a
        x = x + self.out(F.gelu(self.fc(self.ln2(x))))
        return x, present


def build_mask(input_ids, attention_mask):
    """[batch, seq, past+seq] bool: key j is visible to query i iff j <= past+i and j is not padding."""
    # past length = total - seq, both summed from non-empty tensors: ONNX Runtime's ReduceSum over an
    # empty past (length 0) returns a [batch, 0] tensor instead of zeros
    q_ones, k_ones = torch.ones_like(input_ids), torch.ones_like(attention_mask)
    q_abs = q_ones.cumsum(-1) - 1 + (k_ones.sum(-1, keepdim=True) - q_ones.sum(-1, keepdim=True))
    k_idx = k_ones.cumsum(-1) - 1
    causal = k_idx[:, None, :] <= q_abs[:, :, None]
    return causal & (attention_mask[:, None, :] > 0)


def positions_from_mask(attention_mask):
    return (attention_mask.cumsum(-1) - 1).clamp(min=0)


class GPT(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.config = c
        self.wte = nn.Embedding(c.vocab_size, c.n_embd)
        self.wpe = nn.Embedding(c.max_positions, c.n_embd)
        self.blocks = nn.ModuleList([Block(c) for _ in range(c.n_layer)])
        self.ln_f = nn.LayerNorm(c.n_embd)
        self.value = nn.Linear(c.n_embd, 1) if c.value_head else None
        self.surprise = nn.Linear(len(SURPRISE_MARGINS), 1, bias=False) if c.value_head and c.value_input == "surprise" else None
        self.apply(self._init)
        for b in self.blocks:  # GPT-2's scaled init of the residual projections
            nn.init.normal_(b.attn.proj.weight, std=0.02 / math.sqrt(2 * c.n_layer))
            nn.init.normal_(b.out.weight, std=0.02 / math.sqrt(2 * c.n_layer))

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=0.02)

    def num_parameters(self):
        return sum(p.numel() for p in self.parameters())

    def hidden(self, input_ids, attention_mask=None, position_ids=None, past=None):
        """attention_mask None = training layout (no padding, no past): plain causal attention."""
        if attention_mask is None:
            mask = None
            if position_ids is None:
                position_ids = torch.arange(input_ids.shape[1], device=input_ids.device)[None]
        else:
            mask = build_mask(input_ids, attention_mask)
            if position_ids is None:
                position_ids = positions_from_mask(attention_mask)[:, -input_ids.shape[1]:]
        x = self.wte(input_ids) + self.wpe(position_ids)
        presents = []
        for i, blk in enumerate(self.blocks):
            x, p = blk(x, mask, past[i] if past is not None else None)
            presents.append(p)
        return self.ln_f(x), presents

    def forward(self, input_ids, attention_mask=None, position_ids=None, past=None):
        """-> logits [b, s, vocab], presents [(key, value)] per layer (tied input/output embedding)."""
        h, presents = self.hidden(input_ids, attention_mask, position_ids, past)
        return F.linear(h, self.wte.weight), presents

    def scores(self, input_ids, attention_mask=None):
        """PRM: per-token probability that the solution so far leads to the right answer."""
        return torch.sigmoid(self.value_logits(input_ids, attention_mask))

    def value_logits(self, input_ids, attention_mask=None):
        h, _ = self.hidden(input_ids, attention_mask)
        out = self.value(h).squeeze(-1)
        if self.surprise is not None:
            feats = surprise_features(input_ids, F.linear(h, self.wte.weight), attention_mask)
            out = out + self.surprise(feats.to(out.dtype)).squeeze(-1)
        return out


SURPRISE_MARGINS = (0.0, 1.0, 3.0)
NEWLINE = 10


def surprise_features(input_ids, logits, attention_mask=None):
    """[batch, seq, 3]: at each position, the sums over the solution's tokens so far of relu(-log p - m) for
    each margin m in SURPRISE_MARGINS (m = 0: the solution's negative log-likelihood), p being the
    model's own probability of each token given those before it. The solution starts after the first
    delimiter ("\\n\\n" ends the prompt); the problem's own tokens do not count. Causal (cumulative
    sums from the left), so right padding does not change a row's values before it, and built from
    tensor ops only (traced into the ONNX graph: CumSum, GatherElements)."""
    logp = torch.log_softmax(logits.float(), dim=-1)
    tok_lp = logp[:, :-1].gather(-1, input_ids[:, 1:, None]).squeeze(-1)  # log p(x_t | x_<t), t >= 1
    tok_lp = torch.cat([torch.zeros_like(tok_lp[:, :1]), tok_lp], dim=1)
    nl = (input_ids == NEWLINE).float()
    delim_end = torch.cat([torch.zeros_like(nl[:, :1]), nl[:, 1:] * nl[:, :-1]], dim=1)
    in_solution = ((delim_end.cumsum(-1) - delim_end) > 0).float()
    if attention_mask is not None:
        in_solution = in_solution * attention_mask[:, -input_ids.shape[1]:].float()
    nll = -tok_lp * in_solution
    return torch.stack([torch.relu(nll - m).cumsum(-1) for m in SURPRISE_MARGINS], dim=-1)


def save(model, path):
    """Stores fp16 weights (half the bytes: checkpoints come back from the GPU machine) and rounds the
    live model to the same values, so what is evaluated next is exactly what gets exported."""
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())
    torch.save({"config": model.config.to_dict(), "state": {k: v.half() for k, v in model.state_dict().items()}}, path)


def pack(src, dst):
    """fp16 copy of a checkpoint (half the bytes, to carry it to another machine). Weights loaded from
    it are the fp16-rounded ones: export and evaluate from the same packed file."""
    ck = torch.load(src, map_location="cpu")
    torch.save({"config": ck["config"], "state": {k: v.half() for k, v in ck["state"].items()}}, dst)


def load(path, device="cpu"):
    ck = torch.load(path, map_location=device)
    m = GPT(Config(**ck["config"]))
    m.load_state_dict({k: v.float() for k, v in ck["state"].items()})  # a packed (fp16) checkpoint too
    return m.to(device).eval()


def with_value_head(policy, value_input="hidden"):
    """A PRM initialised from the policy: same trunk, a fresh value head."""
    c = Config(**{**policy.config.to_dict(), "value_head": True, "value_input": value_input})
    prm = GPT(c).to(next(policy.parameters()).device)
    prm.load_state_dict(policy.state_dict(), strict=False)
    nn.init.zeros_(prm.value.weight)
    nn.init.zeros_(prm.value.bias)
    if prm.surprise is not None:
        nn.init.zeros_(prm.surprise.weight)
    return prm
