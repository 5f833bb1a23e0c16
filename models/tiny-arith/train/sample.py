"""Batched generation with the KV cache, left padding exactly as the C# engine feeds the ONNX model."""
import torch

from task import EOT_ID, encode, decode

NEWLINE = 10


def left_pad(seqs, device):
    n = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), n), EOT_ID, dtype=torch.long)
    mask = torch.zeros((len(seqs), n), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, n - len(s):] = torch.tensor(s, dtype=torch.long)
        mask[i, n - len(s):] = 1
    return ids.to(device), mask.to(device)


@torch.no_grad()
def generate_ids(model, prompts, max_new, temperature, generator=None, batch_size=2048, stop_at_step=False):
    """prompts: token id lists (BOS included). Returns the new ids of each row, EOS excluded, and
    whether it ended with EOS. temperature 0 = greedy. stop_at_step: a row also stops after the step
    delimiter "\n\n" (kept in its ids; ended = False), as a step-by-step search generates."""
    device = next(model.parameters()).device
    out = [None] * len(prompts)
    # sorting by length keeps padding (wasted work) small inside each batch
    order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
    limit = model.config.max_positions
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        ids, mask = left_pad([prompts[i] for i in idx], device)
        steps = min(max_new, limit - ids.shape[1])
        pos = (mask.cumsum(-1) - 1).clamp(min=0)
        logits, past = model(ids, mask, pos, None)
        last_pos = pos[:, -1:]
        done = torch.zeros(len(idx), dtype=torch.bool, device=device)
        prev = torch.full((len(idx),), -1, dtype=torch.long, device=device)
        new = []
        for _ in range(steps):
            lg = logits[:, -1, :].float()
            if temperature <= 0:
                tok = lg.argmax(-1)
            else:
                probs = torch.softmax(lg / temperature, dim=-1)
                tok = torch.multinomial(probs, 1, generator=generator).squeeze(-1)
            tok = torch.where(done, torch.full_like(tok, EOT_ID), tok)
            new.append(tok)
            done = done | (tok == EOT_ID)
            if stop_at_step:
                done = done | ((tok == NEWLINE) & (prev == NEWLINE))
                prev = tok
            if bool(done.all()):
                break
            mask = torch.cat([mask, torch.ones_like(mask[:, :1])], dim=1)
            last_pos = last_pos + 1
            logits, past = model(tok[:, None], mask, last_pos, past)
        gen = torch.stack(new, 1).tolist() if new else [[] for _ in idx]
        for row, i in enumerate(idx):
            g = gen[row]
            end = g.index(EOT_ID) if EOT_ID in g else len(g)
            step_end = next((k for k in range(1, end) if g[k] == NEWLINE and g[k - 1] == NEWLINE), None) if stop_at_step else None
            if step_end is not None:  # the fillers after a step stop are not an EOS
                out[i] = (g[:step_end + 1], False)
            else:
                out[i] = (g[:end], end < len(g))
    return out


def generate_text(model, prompt_texts, max_new, temperature, generator=None, batch_size=2048):
    res = generate_ids(model, [encode(t, bos=True) for t in prompt_texts], max_new, temperature, generator, batch_size)
    return [decode(g) for g, _ in res]
