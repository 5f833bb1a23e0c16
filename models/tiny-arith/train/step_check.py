"""Exact per-step labels from the task's own computation (the analogue of PRM800K's human step labels),
and synthetic corruptions of correct solutions that look like the policy's real mistakes.

A step "a op b = c" is correct iff the expression, as reduced by the earlier steps, has an operation
node op whose two operands are the numbers a and b (any such node whose operands are both numbers
already: evaluation order is free where the math allows it) and c is its exact result. The answer step
is correct iff every operation was reduced and the boxed value is the result. After the first wrong
step every later step is wrong (PRM800K style: a solution is only as good as its first mistake)."""
import re

from task import LATEX, apply, answer_step, extract_answer

_TOKEN = re.compile(r"\(-\d+\)|\d+|\\times |\\div |[-+()]")
_OP_OF = {"+": "+", "-": "-", "\\times ": "*", "\\div ": "/"}
_PREC = {"+": 1, "-": 1, "*": 2, "/": 2}
_STEP = re.compile(r"^(-?\d+)(\+|-|\\times |\\div )(\(-?\d+\)|-?\d+) = (-?\d+)$")


class Expr:
    """A mutable expression tree: op None = a number."""
    __slots__ = ("op", "left", "right", "value")

    def __init__(self, op=None, left=None, right=None, value=None):
        self.op, self.left, self.right, self.value = op, left, right, value


def parse_problem(problem):
    """'Compute $(17+25)\\times 3-40$.' -> Expr (standard precedence, left-associative)."""
    m = re.fullmatch(r"Compute \$(.*)\$\.", problem)
    if not m:
        raise ValueError(f"not a tiny-arith problem: {problem!r}")
    toks = _TOKEN.findall(m.group(1))
    if "".join(toks) != m.group(1):
        raise ValueError(f"unparsable expression: {m.group(1)!r}")
    pos = [0]

    def atom():
        t = toks[pos[0]]
        pos[0] += 1
        if t == "(":
            e = expr(0)
            if toks[pos[0]] != ")":
                raise ValueError(f"missing ')' in {problem!r}")
            pos[0] += 1
            return e
        return Expr(value=int(t.strip("()")))

    def expr(min_prec):
        left = atom()
        while pos[0] < len(toks) and toks[pos[0]] in ("+", "-", "\\times ", "\\div "):
            op = _OP_OF[toks[pos[0]]]
            if _PREC[op] < min_prec:
                break
            pos[0] += 1
            left = Expr(op, left, expr(_PREC[op] + 1))
        return left

    tree = expr(0)
    if pos[0] != len(toks):
        raise ValueError(f"trailing tokens in {problem!r}")
    return tree


def parse_step(step):
    """'42\\times 3 = 126' -> (42, '*', 3, 126); None for anything else."""
    m = _STEP.match(step)
    if not m:
        return None
    return int(m.group(1)), _OP_OF[m.group(2)], int(m.group(3).strip("()")), int(m.group(4))


def _reducible(node, out):
    if node.op is None:
        return
    if node.left.op is None and node.right.op is None:
        out.append(node)
    else:
        _reducible(node.left, out)
        _reducible(node.right, out)


def _exact(op, a, b):
    if op == "/" and (b == 0 or a % b != 0):
        return None
    return apply(op, a, b)


def step_labels(problem, steps):
    """-> one bool per step: correct so far (see the module doc)."""
    tree = parse_problem(problem)
    labels, ok = [], True
    for s in steps:
        if ok:
            if tree.op is None:  # fully reduced: only the answer step may follow
                ok = extract_answer(s) == str(tree.value) and s == answer_step(tree.value)
            else:
                p = parse_step(s)
                ok = False
                if p is not None:
                    cands = []
                    _reducible(tree, cands)
                    for n in cands:
                        if (n.op, n.left.value, n.right.value) == (p[1], p[0], p[2]) and _exact(p[1], p[0], p[2]) == p[3]:
                            n.op, n.left, n.right, n.value = None, None, None, p[3]
                            ok = True
                            break
        labels.append(ok)
    return labels


def first_wrong(labels):
    return next((k for k, v in enumerate(labels) if not v), None)


# ---------------------------------------------------------------- synthetic corruptions
def _digit_change(v, rng):
    s = str(abs(v))
    i = rng.randrange(len(s))
    digits = [d for d in "0123456789" if d != s[i] and not (i == 0 and d == "0" and len(s) > 1)]
    w = int(s[:i] + rng.choice(digits) + s[i + 1:])
    return -w if v < 0 else w


def _carry_error(v, rng):
    """A dropped or extra carry: one digit (not the last) one too low or too high."""
    s = str(abs(v))
    if len(s) < 2:
        return v + rng.choice([-1, 1])
    k = rng.randrange(1, len(s))  # power of ten of the changed digit
    return v + rng.choice([-1, 1]) * 10 ** k * (1 if v >= 0 else -1)


def wrong_value(v, rng):
    """A wrong result of the kinds the policy writes: mostly one digit changed or a carry error, also
    off by 10^k, a small offset, or a flipped sign."""
    r = rng.random()
    if r < 0.4:
        w = _digit_change(v, rng)
    elif r < 0.7:
        w = _carry_error(v, rng)
    elif r < 0.85:
        w = v + rng.choice([-1, 1]) * 10 ** rng.randrange(0, max(1, len(str(abs(v)))))
    elif r < 0.95:
        w = v + rng.choice([-3, -2, -1, 1, 2, 3])
    else:
        w = -v
    return w if w != v else v + 1


def _fmt(a, op, b, c):
    sym = {"+": "+", "-": "-", "*": LATEX["*"], "/": LATEX["/"]}[op]
    return f"{a}{sym}{'(%d)' % b if b < 0 else b} = {c}"


def corrupt(problem, steps, rng, tries=8):
    """A correct solution with one wrong step; later steps carry the wrong value on and compute
    correctly from it, so only the one step is an error (labels from step_labels). Mostly the result is
    wrong, early steps more often (where the policy errs); sometimes an operand is miscopied.
    -> corrupted steps or None."""
    parsed = [parse_step(s) for s in steps[:-1]]
    if not parsed or any(p is None for p in parsed):
        return None
    for _ in range(tries):
        q = [list(p) for p in parsed]
        k = min(rng.randrange(len(q)), rng.randrange(len(q)))  # early steps twice as likely
        old = q[k][3]
        if rng.random() < 0.8:
            q[k][3] = wrong_value(old, rng)
        else:
            side = rng.choice([0, 2])
            q[k][side] = wrong_value(q[k][side], rng)
            new = _exact(q[k][1], q[k][0], q[k][2])
            if new is None or new == old:
                continue
            q[k][3] = new
        # later steps: the first one that used the old result (as its operand) gets the new one
        subst, ok = {k: old}, True
        for j in range(k + 1, len(q)):
            for src in list(subst):
                was = subst[src]
                hit = next((side for side in (0, 2) if q[j][side] == was), None)
                if hit is not None:
                    q[j][hit] = q[src][3]
                    del subst[src]
                    new = _exact(q[j][1], q[j][0], q[j][2])
                    if new is None:
                        ok = False
                    elif new != q[j][3]:
                        subst[j] = q[j][3]
                        q[j][3] = new
                    break
            if not ok:
                break
        if not ok or q[-1][3] == parsed[-1][3]:
            continue
        out = [_fmt(*p) for p in q] + [answer_step(q[-1][3])]
        labels = step_labels(problem, out)
        if first_wrong(labels) is not None:
            return out
    return None
