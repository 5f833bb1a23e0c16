"""The arithmetic task: problems written like MATH problems, step-by-step solutions, grading, and the
byte-level tokenizer shared with the C# engine (GPT-2 byte symbols, id = byte value, 256 = <|endoftext|>).

A problem of level L has L operations; operands grow with the level. The solution evaluates one
operation per step in the order a person would (innermost parentheses first, then x and / before
+ and -, left to right), e.g.

    Compute $(17+25)\\times 3-40$.

    17+25 = 42

    42\\times 3 = 126

    126-40 = 86

    The answer is $\\boxed{86}$.
"""
import json
import random
import re

EOT = "<|endoftext|>"
EOT_ID = 256
VOCAB_SIZE = 257
DELIM = "\n\n"
SUBJECT = "Arithmetic"

# Per level: largest additive operand, largest factor/divisor (one side of x and / is always a
# small number: multiplying two large numbers digit by digit is beyond a model this small).
LEVELS = {
    1: dict(ops=1, add_max=30, mul_max=9),
    2: dict(ops=2, add_max=100, mul_max=12),
    3: dict(ops=3, add_max=300, mul_max=20),
    4: dict(ops=4, add_max=600, mul_max=30),
    5: dict(ops=5, add_max=999, mul_max=40),
}

OPS = {"+": 1, "-": 1, "*": 2, "/": 2}  # precedence
LATEX = {"+": "+", "-": "-", "*": "\\times ", "/": "\\div "}


# ---------------------------------------------------------------- tokenizer (GPT-2 byte level)
def bytes_to_unicode():
    """GPT-2's byte -> printable unicode symbol table (the keys of vocab.json)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def vocab_json():
    table = bytes_to_unicode()
    vocab = {table[b]: b for b in range(256)}
    vocab[EOT] = EOT_ID
    return vocab


def encode(text, bos=False, eos=False):
    ids = list(text.encode("utf-8"))
    return ([EOT_ID] if bos else []) + ids + ([EOT_ID] if eos else [])


def decode(ids):
    return bytes(i for i in ids if i < 256).decode("utf-8", errors="replace")


# ---------------------------------------------------------------- expressions
class Node:
    __slots__ = ("op", "left", "right", "value")

    def __init__(self, op=None, left=None, right=None, value=None):
        self.op, self.left, self.right, self.value = op, left, right, value


def leaf(v):
    return Node(value=v)


def apply(op, a, b):
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    assert b != 0 and a % b == 0
    return a // b


def build(rng, n_ops, cfg):
    """Random expression tree with n_ops operations; x and / always have a small leaf on one side and
    / divides exactly."""
    if n_ops == 0:
        return leaf(rng.randint(1, cfg["add_max"]))
    op = rng.choice("+-*/") if n_ops > 0 else None
    if op in "+-":
        k = rng.randint(0, n_ops - 1)
        node = Node(op, build(rng, k, cfg), build(rng, n_ops - 1 - k, cfg))
    elif op == "*":
        big = build(rng, n_ops - 1, cfg)
        small = leaf(rng.randint(2, cfg["mul_max"]))
        node = Node("*", big, small) if rng.random() < 0.5 else Node("*", small, big)
    else:
        big = build(rng, n_ops - 1, cfg)
        v = abs(big.value)
        divisors = [d for d in range(2, cfg["mul_max"] + 1) if v % d == 0] if v else []
        if not divisors:  # no exact small divisor: fall back to a subtraction
            node = Node("-", big, build(rng, 0, cfg))
        else:
            node = Node("/", big, leaf(rng.choice(divisors)))
    node.value = apply(node.op, node.left.value, node.right.value)
    return node


def num(v, right_operand=False):
    return f"({v})" if (v < 0 and right_operand) else str(v)


def render(node, parent_prec=0, is_right=False):
    """LaTeX with the fewest parentheses that keep the tree's evaluation order."""
    if node.op is None:
        return num(node.value, is_right)
    p = OPS[node.op]
    s = render(node.left, p, False) + LATEX[node.op] + render(node.right, p, True)
    need = p < parent_prec or (p == parent_prec and is_right)
    return f"({s})" if need else s


def steps_of(node, out):
    """Post-order, left first: the order a person evaluates the printed expression."""
    if node.op is None:
        return
    steps_of(node.left, out)
    steps_of(node.right, out)
    out.append(f"{num(node.left.value)}{LATEX[node.op]}{num(node.right.value, True)} = {node.value}")


def answer_step(value):
    return f"The answer is $\\boxed{{{value}}}$."


def make_problem(rng, level, cfg=None):
    """A problem labelled `level`, drawn with that level's settings or with `cfg` (ops, add_max, mul_max) instead."""
    cfg = cfg or LEVELS[level]
    tree = build(rng, cfg["ops"], cfg)
    steps = []
    steps_of(tree, steps)
    steps.append(answer_step(tree.value))
    return {
        "problem": f"Compute ${render(tree)}$.",
        "solution": DELIM.join(steps),
        "answer": str(tree.value),
        "subject": SUBJECT,
        "level": level,
    }


# ---------------------------------------------------------------- text layout and grading
def prompt_text(problem):
    return problem + DELIM


def solution_text(steps):
    """What the policy writes after the prompt: every step followed by the delimiter."""
    return "".join(s + DELIM for s in steps)


def split_steps(solution):
    return [s for s in solution.split(DELIM) if s.strip()]


def revision_prompt(problem, attempts, max_attempts=4):
    """attempts: list of step lists, oldest first. Layout documented in docs/model-format.md."""
    text = prompt_text(problem)
    for a in attempts[-max_attempts:]:
        text += "Attempt:\n" + "\n".join(a) + "\n\n"
    return text + "Revision:\n\n"


_BOXED = re.compile(r"\\boxed\{(-?\d+)\}")


def extract_answer(text):
    m = _BOXED.findall(text)
    return m[-1] if m else None


def is_correct(text, answer):
    return extract_answer(text) == answer


# ---------------------------------------------------------------- data sets
def eval_set(seed, per_level):
    rng = random.Random(seed)
    rows, seen = [], set()
    for level in range(1, 6):
        i = 0
        while i < per_level:
            p = make_problem(rng, level)
            if p["problem"] in seen:
                continue
            seen.add(p["problem"])
            p["unique_id"] = f"tiny-arith/L{level}/{i:04d}"
            rows.append(p)
            i += 1
    return rows


def training_problems(rng, n, exclude, levels=(1, 2, 3, 4, 5)):
    out = []
    while len(out) < n:
        p = make_problem(rng, rng.choice(levels))
        if p["problem"] not in exclude:
            out.append(p)
    return out


def write_jsonl(path, rows):
    with open(path, "w") as f:
        for r in rows:
            f.write(json.dumps({k: r[k] for k in ("problem", "solution", "answer", "subject", "level", "unique_id")}) + "\n")


def read_jsonl(path):
    rows = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{n}: not JSON ({e})") from e
    return rows


if __name__ == "__main__":
    rng = random.Random(0)
    for lv in range(1, 6):
        p = make_problem(rng, lv)
        print(p["problem"] + DELIM + p["solution"] + "\n---")
