#!/usr/bin/env python3
"""The PyTorch peer of `deno task bench`: the kit's policy shape written the way a researcher would write it in
PyTorch on the CPU, timed on the same three workloads as the kit, so that one invocation can hold the two side by
side.

Model: a pre-LayerNorm decoder-only transformer (token and learned position embeddings, causal self-attention with a
fused qkv projection, a 4x GELU MLP, a final LayerNorm and an unbiased output head), d 128, 4 layers, 4 heads, ctx
128, vocab 48 by default: 822,016 parameters, as the kit's policy.

Workloads (tokens per second, median of --repeat runs after one warm-up):
  sample  batch x new-tokens tokens drawn at temperature 1 with a KV cache, no early stop;
  score   log-softmax over every position of batch x (prompt + new) tokens, one forward pass;
  train   next-token cross-entropy over batch x (prompt + new - 1) positions, backward, one AdamW step.

Needs Debian's PyTorch (`apt-get install -y python3-torch`); run it with /usr/bin/python3. It prints one JSON object
with --json. The threads of its matrix products are --threads (default 2); --device cuda times the same model on a
GPU (where the kit's WebGPU backend runs); the BLAS kernels are whatever
OPENBLAS_CORETYPE in the environment says (`deno task bench` passes the kit's own, so both run the same ones).
"""
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F
from torch import nn


class Layer(nn.Module):
    """One transformer block: x + attention(LN(x)), then x + MLP(LN(x))."""

    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.norm_attention = nn.LayerNorm(width)
        self.qkv = nn.Linear(width, 3 * width)
        self.projection = nn.Linear(width, width)
        self.norm_mlp = nn.LayerNorm(width)
        self.expand = nn.Linear(width, 4 * width)
        self.contract = nn.Linear(4 * width, width)

    def attention(self, x, cache):
        batch, time_steps, width = x.shape
        split = lambda t: t.view(batch, time_steps, self.heads, width // self.heads).transpose(1, 2)
        q, k, v = (split(t) for t in self.qkv(x).split(width, dim=2))
        if cache is not None:
            if cache:
                k = torch.cat([cache[0], k], dim=2)
                v = torch.cat([cache[1], v], dim=2)
            cache[:] = [k, v]
        scores = q @ k.transpose(2, 3) / math.sqrt(q.shape[-1])
        if time_steps > 1:
            keys = k.shape[2]
            allowed = torch.ones(time_steps, keys, dtype=torch.bool, device=x.device).tril(diagonal=keys - time_steps)
            scores = scores.masked_fill(~allowed, float("-inf"))
        mixed = scores.softmax(dim=-1) @ v
        return self.projection(mixed.transpose(1, 2).reshape(batch, time_steps, width))

    def forward(self, x, cache=None):
        x = x + self.attention(self.norm_attention(x), cache)
        return x + self.contract(F.gelu(self.expand(self.norm_mlp(x))))


class Model(nn.Module):
    def __init__(self, vocab, width, layers, heads, ctx):
        super().__init__()
        self.tokens = nn.Embedding(vocab, width)
        self.positions = nn.Embedding(ctx, width)
        self.layers = nn.ModuleList([Layer(width, heads) for _ in range(layers)])
        self.norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, vocab, bias=False)

    def forward(self, ids, first_position=0, caches=None):
        where = torch.arange(first_position, first_position + ids.shape[1], device=ids.device)
        x = self.tokens(ids) + self.positions(where)
        for i, layer in enumerate(self.layers):
            x = layer(x, None if caches is None else caches[i])
        return self.head(self.norm(x))


@torch.no_grad()
def sample(model, prompts, new_tokens):
    caches = [[] for _ in model.layers]
    logits = model(prompts, 0, caches)[:, -1]
    drawn = []
    for step in range(new_tokens):
        token = torch.multinomial(logits.softmax(dim=-1), 1)
        drawn.append(token)
        logits = model(token, prompts.shape[1] + step, caches)[:, -1]
    return torch.cat(drawn, dim=1)


def median_seconds(work, repeat, device):
    def finished():
        work()
        if device.type == "cuda":
            torch.cuda.synchronize()  # CUDA calls return before the kernels finish

    finished()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        finished()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for name, default in [("vocab", 48), ("d-model", 128), ("layers", 4), ("heads", 4), ("ctx", 128),
                          ("batch", 256), ("prompt-len", 32), ("new-tokens", 48), ("threads", 2), ("repeat", 3)]:
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--device", default="cpu", help="cpu, or cuda to time the same model on a GPU")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    model = Model(args.vocab, args.d_model, args.layers, args.heads, args.ctx).to(device)
    prompts = torch.randint(0, args.vocab, (args.batch, args.prompt_len)).to(device)
    sequences = torch.randint(0, args.vocab, (args.batch, args.prompt_len + args.new_tokens)).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)

    model.eval()
    sample_s = median_seconds(lambda: sample(model, prompts, args.new_tokens), args.repeat, device)
    with torch.no_grad():
        score_s = median_seconds(lambda: model(sequences).log_softmax(dim=-1), args.repeat, device)
    model.train()

    def train_step():
        optimizer.zero_grad(set_to_none=True)
        logits = model(sequences[:, :-1])
        F.cross_entropy(logits.reshape(-1, args.vocab), sequences[:, 1:].reshape(-1)).backward()
        optimizer.step()

    train_s = median_seconds(train_step, args.repeat, device)
    length = sequences.shape[1]
    result = {
        "engine": f"pytorch {torch.__version__} cpu x{args.threads}" if device.type == "cpu"
        else f"pytorch {torch.__version__} {torch.cuda.get_device_name(device)}",
        "params": sum(p.numel() for p in model.parameters()),
        "sample_tokens_per_s": args.batch * args.new_tokens / sample_s,
        "score_tokens_per_s": args.batch * length / score_s,
        "train_tokens_per_s": args.batch * (length - 1) / train_s,
    }
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
