"""What every training job shares: device choice, a padded token store, one AdamW training loop, and how a
measuring script reports (JSON on stdout and, given a path, in a file)."""
import json
import math
import os
import random
import time

import torch

from task import EOT_ID


def report(result, path=None):
    """Prints a measurement as JSON and, when path is given, writes it there too."""
    print(json.dumps(result, indent=1))
    if path:
        with open(path, "w") as f:
            json.dump(result, f, indent=1)


def device():
    return os.environ.get("TINY_DEVICE") or ("cuda" if torch.cuda.is_available() else "cpu")


def seed_all(seed):
    random.seed(seed)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)


class TokenStore:
    """Sequences right-padded into one tensor on the device. LM rows are trained on every token from
    `start` on (the solution and EOS, not the prompt); PRM rows carry {position: soft label}."""

    def __init__(self, seqs, starts, dev, labels=None):
        n, width = len(seqs), max(len(s) for s in seqs)
        self.tokens = torch.full((n, width), EOT_ID, dtype=torch.long)
        self.length = torch.tensor([len(s) for s in seqs])
        self.start = torch.tensor(starts)
        for i, s in enumerate(seqs):
            self.tokens[i, :len(s)] = torch.tensor(s)
        self.labels = None
        if labels is not None:  # PRM: float label at chosen positions, NaN elsewhere
            self.labels = torch.full((n, width), float("nan"))
            for i, lab in enumerate(labels):
                for p, v in lab.items():
                    self.labels[i, p] = v
            self.labels = self.labels.to(dev)
        self.tokens, self.length, self.start = self.tokens.to(dev), self.length.to(dev), self.start.to(dev)

    def __len__(self):
        return self.tokens.shape[0]

    def lm_batch(self, idx):
        """x = tokens[:-1], y = next tokens, -100 where no loss (prompt and padding)."""
        width = int(self.length[idx].max())
        t = self.tokens[idx, :width]
        x, y = t[:, :-1], t[:, 1:].clone()
        pos = torch.arange(1, width, device=t.device)[None]
        keep = (pos >= self.start[idx, None]) & (pos < self.length[idx, None])
        y[~keep] = -100
        return x, y

    def value_batch(self, idx):
        width = int(self.length[idx].max())
        return self.tokens[idx, :width], self.labels[idx, :width]


def lr_at(step, steps, peak, warmup):
    if step < warmup:
        return peak * (step + 1) / warmup
    frac = (step - warmup) / max(1, steps - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * frac)))


def fit(model, loss_of_batch, n_rows, steps, batch_size, lr, name, warmup=200, weight_decay=0.1, log_every=250,
        seconds=0):
    """AdamW with warmup + cosine decay, bf16 autocast on CUDA. loss_of_batch(model, idx) -> loss.
    seconds > 0: a time budget; after 50 steps the total step count is cut to what fits in it (the
    cosine schedule follows the new total), so a GPU call with a hard limit ends on time whatever the
    machine's speed (the new total is printed)."""
    dev = next(model.parameters()).device
    trained = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    decay = [p for n, p in trained if p.dim() >= 2]
    no_decay = [p for n, p in trained if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=lr, betas=(0.9, 0.95))
    g = torch.Generator(device="cpu")
    g.manual_seed(1234)
    model.train()
    t0 = time.time()
    step = -1
    while step + 1 < steps:  # not range(steps): a time budget may lower steps after 50 steps
        step += 1
        for grp in opt.param_groups:
            grp["lr"] = lr_at(step, steps, lr, min(warmup, steps // 10 + 1))
        idx = torch.randint(0, n_rows, (batch_size,), generator=g).to(dev)
        if dev.type == "cuda":
            with torch.autocast(device_type="cuda", dtype=torch.bfloat16):
                loss = loss_of_batch(model, idx)
        else:
            loss = loss_of_batch(model, idx)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for _, p in trained], 1.0)
        opt.step()
        if step + 1 == 50 and steps > 100:  # early warning for a GPU call with a time limit
            if dev.type == "cuda":
                torch.cuda.synchronize()
            per_step = (time.time() - t0) / 50
            print(f"[{name}] 50 steps in {time.time() - t0:.1f}s: about {per_step * steps:.0f}s for {steps}", flush=True)
            if seconds > 0 and per_step * steps > seconds:
                steps = max(100, int(seconds / per_step))
                print(f"[{name}] time budget {seconds}s: {steps} steps", flush=True)
        if (step + 1) % log_every == 0 or step == steps - 1:
            print(f"[{name}] step {step + 1}/{steps} loss {float(loss):.4f} {time.time() - t0:.0f}s", flush=True)
    model.eval()
    return time.time() - t0


def lm_loss(store):
    def f(model, idx):
        x, y = store.lm_batch(idx)
        logits, _ = model(x)
        return torch.nn.functional.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), y.reshape(-1), ignore_index=-100)
    return f
