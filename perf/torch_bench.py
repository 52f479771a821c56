#!/usr/bin/env python3
"""Times PyTorch (CPU, float32, one thread) on the suite's GEMM shapes and
training steps, for `make bench` to put next to the Go numbers.

Not part of the suite: nothing in Go depends on it, and `make bench` runs it
only when the Python it is given can import torch (Debian's python3-torch
1.13 at /usr/bin/python3 on the reference machine).

Usage: torch_bench.py SPEC.json > RESULT.json

SPEC is written by the Go command perf/cmd/benchtable from the same values
the Go benchmarks use (package perf/speed, type Spec): GEMM shapes (m, n, k,
transposes) and, per training step, the network (MLP sizes and activation,
or the CIFAR ResNet's blocks and widths), batch, optimiser and learning rate.

What is built here, and what is not:
  * baseline on an MLP: Linear layers with the task's activation between
    them, a linear output layer (the suite's plain network);
  * residual on an MLP: per hidden layer pad(h) + act(BN(W h + b)), the
    shortcut zero-padding (or truncating) h, or a Linear projection when the
    layer narrows (as baselines.BuildResidualMLP);
  * baseline on a convnet: the CIFAR ResNet of nn.NewResNet (3x3 stem
    without bias, BN, ReLU; post-activation basic blocks; option-A
    shortcuts: stride-2 subsampling and appended zero channels; global
    average pooling; Linear head).
  * baseline on an LSTM (nn.NewLSTMNet): optional nn.Embedding, the LSTM
    stack as one torch.nn.LSTM (its own per-layer modules when the widths
    differ), optionally bidirectional, a Linear head at every step or, for
    a summary network, on the two directions' final states. The batch is
    time-major, as on the Go side, and its loss is the task loop's
    ("seq" in the spec): "lm", the token cross-entropy summed over the
    window's steps and averaged over its columns, the state carried from
    one update to the next (detached); "bce", sigmoid cross-entropy of the
    masked target bits, averaged over them, on the copy task's layout
    (BOS, the vectors, EOS, then the targets; padded to the longest
    sequence), the state zero at every update; "mse", ½‖y − t‖² averaged
    over the sequences. torch.nn.LSTM has two bias vectors per gate where
    the Go LSTM has one; that is 4·hidden more additions per step.
  The other configurations (noisy, anneal, mollified, stochdepth) have no
  standard PyTorch form and are listed as skipped.

One step is: zero_grad(set_to_none=True), forward in training mode,
cross-entropy (mean over the batch; for an LSTM the loss above), backward,
clip_grad_norm_ when the task clips, SGD step (momentum, Nesterov and
weight decay as the task's; weight decay only on weights of dimension > 1,
as the suite exempts biases and batch-norm parameters) or Adam when the
task uses it. Inputs are uniform in [0, 1) for MLPs and standard normal
for images, labels uniform; tokens, bits and target vectors at random for
LSTMs.

Timing: CPU time of the process (time.process_time_ns), after one warm-up
call, in rounds of at least min_round seconds, until `seconds` of CPU time
have been spent; `best_ns` is the CPU time per call of the fastest round and
`mean_ns` the mean, as the Go side reports them.
"""

import json
import os
import re
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


ACTS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": F.relu}


def act_of(name):
    if name not in ACTS:
        raise ValueError(f"activation {name!r} not built here (have {sorted(ACTS)})")
    return ACTS[name]


class PlainMLP(nn.Module):
    def __init__(self, d_in, hidden, d_out, act):
        super().__init__()
        sizes = [d_in] + list(hidden)
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))
        self.out = nn.Linear(sizes[-1], d_out)
        self.act = act

    def forward(self, x):
        for layer in self.layers:
            x = self.act(layer(x))
        return self.out(x)


class ResidualLayer(nn.Module):
    def __init__(self, d_in, d_out, act):
        super().__init__()
        self.dense = nn.Linear(d_in, d_out)
        self.bn = nn.BatchNorm1d(d_out, eps=1e-5, momentum=0.1)
        self.act = act
        self.d_in, self.d_out = d_in, d_out
        self.proj = nn.Linear(d_in, d_out) if d_in > d_out else None

    def forward(self, x):
        f = self.act(self.bn(self.dense(x)))
        if self.proj is not None:
            return f + self.proj(x)
        if self.d_out > self.d_in:
            return f + F.pad(x, (0, self.d_out - self.d_in))
        return f + x


class ResidualMLP(nn.Module):
    def __init__(self, d_in, hidden, d_out, act):
        super().__init__()
        sizes = [d_in] + list(hidden)
        self.layers = nn.Sequential(*(ResidualLayer(a, b, act) for a, b in zip(sizes, sizes[1:])))
        self.out = nn.Linear(sizes[-1], d_out)

    def forward(self, x):
        return self.out(self.layers(x))


class BasicBlock(nn.Module):
    def __init__(self, c_in, c_out, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.stride, self.pad = stride, c_out - c_in

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        s = x
        if self.stride != 1:
            s = s[:, :, :: self.stride, :: self.stride]
        if self.pad > 0:
            s = F.pad(s, (0, 0, 0, 0, 0, self.pad))
        return F.relu(out + s)


class ResNet(nn.Module):
    def __init__(self, spec):
        super().__init__()
        if spec["shortcut"] != "pad":
            raise ValueError(f"shortcut {spec['shortcut']!r} not built here (have: pad)")
        c_in, self.h, self.w = spec["in"]
        self.c_in = c_in
        widths = spec["widths"]
        self.stem = nn.Conv2d(c_in, widths[0], 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(widths[0])
        blocks, c = [], widths[0]
        for s, w in enumerate(widths):
            for b in range(spec["blocks"]):
                blocks.append(BasicBlock(c, w, 2 if s > 0 and b == 0 else 1))
                c = w
        self.blocks = nn.Sequential(*blocks)
        self.out = nn.Linear(c, spec["classes"])

    def forward(self, x):
        x = x.view(-1, self.c_in, self.h, self.w)
        x = F.relu(self.bn(self.stem(x)))
        x = self.blocks(x)
        return self.out(x.mean(dim=(2, 3)))


class LSTMNet(nn.Module):
    """The network of an nn.LSTMNetSpec (JSON field names)."""

    def __init__(self, spec):
        super().__init__()
        hidden, self.bidir, self.summary = spec["hidden"], spec.get("bidirectional", False), spec.get("summary", False)
        vocab = spec.get("vocab", 0)
        self.emb = nn.Embedding(vocab, spec["embed"]) if vocab > 0 else None
        d = spec["embed"] if vocab > 0 else spec["in"]
        if len(set(hidden)) == 1:
            self.stack = nn.ModuleList([nn.LSTM(d, hidden[0], num_layers=len(hidden), bidirectional=self.bidir)])
        else:
            layers = []
            for h in hidden:
                layers.append(nn.LSTM(d, h, bidirectional=self.bidir))
                d = 2 * h if self.bidir else h
            self.stack = nn.ModuleList(layers)
        width = hidden[-1] * (2 if self.bidir else 1)
        self.out = nn.Linear(width, spec["out"])

    def forward(self, x, state=None):
        """x is (steps, batch) token ids or (steps, batch, in) vectors;
        state is the carried state of each module of the stack, or None.
        Returns the output and the new state."""
        if self.emb is not None:
            x = self.emb(x)
        new = []
        for i, lstm in enumerate(self.stack):
            x, (h, c) = lstm(x, None if state is None else state[i])
            new.append((h, c))
        if self.summary:
            h = new[-1][0]
            x = torch.cat([h[-2], h[-1]], dim=1) if self.bidir else h[-1]
        return self.out(x), new


def seq_batch(step):
    """The inputs and targets of an LSTM step: (x, targets, mask)."""
    spec, seq, batch = step["lstm"], step["seq"], step["batch"]
    steps, loss = seq["steps"], seq["loss"]
    if loss == "lm":
        vocab = spec["vocab"]
        return torch.randint(0, vocab, (steps, batch)), torch.randint(0, vocab, (steps, batch)), None
    if loss == "bce":
        bits = spec["out"]
        x = torch.zeros(steps, batch, spec["in"])
        y = torch.zeros(steps, batch, bits)
        mask = torch.zeros(steps, batch, dtype=torch.bool)
        for s, n in enumerate(seq["lens"]):
            v = torch.randint(0, 2, (n, bits)).float()
            x[0, s, bits] = 1
            x[1 : n + 1, s, :bits] = v
            x[n + 1, s, bits + 1] = 1
            y[n + 2 : 2 * n + 2, s] = v
            mask[n + 2 : 2 * n + 2, s] = True
        return x, y, mask
    if loss == "mse":
        x = torch.randint(0, spec["vocab"], (steps, batch)) if spec.get("vocab", 0) > 0 else torch.rand(steps, batch, spec["in"])
        t = torch.randn(batch, spec["out"])
        return x, t / t.norm(dim=1, keepdim=True), None
    raise NotImplementedError(f"sequence loss {loss!r} not built here")


def time_seq_step(step, seconds, min_round):
    if step["config"] != "baseline":
        raise NotImplementedError(f"no standard PyTorch form of {step['config']} on an lstm")
    torch.manual_seed(1)
    model = LSTMNet(step["lstm"])
    model.train()
    x, y, mask = seq_batch(step)
    loss_kind, batch = step["seq"]["loss"], step["batch"]
    params = list(model.parameters())
    if step["optimizer"] == "sgd":
        opt = torch.optim.SGD(params, lr=step["lr"], momentum=step["momentum"], nesterov=step["nesterov"])
    elif step["optimizer"] == "adam":
        opt = torch.optim.Adam(params, lr=step["lr"])
    else:
        raise NotImplementedError(f"optimizer {step['optimizer']!r} not built here")
    clip = step["clip"]
    carried = [None]

    def one():
        opt.zero_grad(set_to_none=True)
        if loss_kind == "lm":
            out, state = model(x, carried[0])
            carried[0] = [(h.detach(), c.detach()) for h, c in state]
            loss = F.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1), reduction="sum") / batch
        elif loss_kind == "bce":
            out, _ = model(x)
            loss = F.binary_cross_entropy_with_logits(out[mask], y[mask])
        else:
            out, _ = model(x)
            loss = 0.5 * (out - y).pow(2).sum() / batch
        loss.backward()
        if clip > 0:
            torch.nn.utils.clip_grad_norm_(params, clip)
        opt.step()

    one()
    return measure(one, seconds, min_round)


def build(step):
    """Returns (model, input width, classes), or raises NotImplementedError."""
    cfg, arch = step["config"], step["arch"]
    if arch == "mlp":
        m = step["mlp"]
        act = act_of(m["Act"])
        if cfg == "baseline":
            return PlainMLP(m["In"], m["Hidden"], m["Out"], act), m["In"], m["Out"]
        if cfg == "residual":
            return ResidualMLP(m["In"], m["Hidden"], m["Out"], act), m["In"], m["Out"]
    elif arch == "convnet" and cfg == "baseline":
        r = step["resnet"]
        c, h, w = r["in"]
        return ResNet(r), c * h * w, r["classes"]
    raise NotImplementedError(f"no standard PyTorch form of {cfg} on a {arch}")


def measure(f, seconds, min_round):
    """CPU time per call: (best round, mean, calls). f has been warmed up."""
    clock = time.process_time_ns
    t0 = clock()
    f()
    first = clock() - t0
    size = max(1, int(min_round * 1e9 / max(first, 1000)))
    best, total, calls = first, first, 1
    while total < seconds * 1e9:
        t0 = clock()
        for _ in range(size):
            f()
        dt = clock() - t0
        best = min(best, dt / size)
        total += dt
        calls += size
    return best, total / calls, calls


def time_step(step, seconds, min_round):
    if step["arch"] == "lstm":
        return time_seq_step(step, seconds, min_round)
    torch.manual_seed(1)
    model, d_in, classes = build(step)
    model.train()
    batch = step["batch"]
    if step["arch"] == "convnet":
        x = torch.randn(batch, d_in)
    else:
        x = torch.rand(batch, d_in)
    y = torch.randint(0, classes, (batch,))
    if step["optimizer"] != "sgd":
        raise NotImplementedError(f"optimizer {step['optimizer']!r} not built here")
    decay = [p for p in model.parameters() if p.dim() > 1]
    rest = [p for p in model.parameters() if p.dim() <= 1]
    opt = torch.optim.SGD(
        [{"params": decay, "weight_decay": step["weight_decay"]}, {"params": rest, "weight_decay": 0.0}],
        lr=step["lr"], momentum=step["momentum"], nesterov=step["nesterov"],
    )
    clip = step["clip"]
    params = list(model.parameters())

    def one():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        if clip > 0:
            torch.nn.utils.clip_grad_norm_(params, clip)
        opt.step()

    one()
    return measure(one, seconds, min_round)


def time_gemm(g, seconds, min_round):
    torch.manual_seed(1)
    m, n, k = g["m"], g["n"], g["k"]
    a = torch.randn(k, m).t() if g["trans_a"] else torch.randn(m, k)
    b = torch.randn(n, k).t() if g["trans_b"] else torch.randn(k, n)
    c = torch.empty(m, n)

    def one():
        torch.mm(a, b, out=c)

    one()
    return measure(one, seconds, min_round)


def blas_info():
    m = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    return m.group(1) if m else "unknown"


def blas_libs():
    """The BLAS libraries mapped into this process (Linux): which library
    torch's "generic" BLAS resolves to."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "blas" in line.lower()}
    except OSError:
        return []
    return sorted(os.path.realpath(p) for p in paths)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: torch_bench.py SPEC.json > RESULT.json")
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    torch.set_grad_enabled(True)
    seconds, min_round = spec["seconds"], spec["min_round"]
    out = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas": blas_info(),
        "blas_libs": blas_libs(),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""),
        "load_before": list(os.getloadavg()),
        "gemm": [],
        "steps": [],
        "skipped": [],
    }
    for g in spec.get("gemm") or []:
        best, mean, calls = time_gemm(g, seconds, min_round)
        out["gemm"].append({"name": g["name"], "best_ns": best, "mean_ns": mean, "calls": calls})
        print(f"gemm {g['name']}: {best / 1e3:.1f} µs", file=sys.stderr)
    for s in spec.get("steps") or []:
        try:
            best, mean, calls = time_step(s, seconds, min_round)
        except NotImplementedError as e:
            out["skipped"].append({"name": s["name"], "reason": str(e)})
            continue
        out["steps"].append({"name": s["name"], "best_ns": best, "mean_ns": mean, "calls": calls})
        print(f"step {s['name']}: {best / 1e6:.2f} ms", file=sys.stderr)
    out["load_after"] = list(os.getloadavg())
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
