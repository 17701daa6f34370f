"""PyTorch side of tools/bench/train.ts: training speed on the same checkpoint, batch and sequence
length as the tfjs side. `lora`: PEFT's LoRA semantics (r 8, alpha 16, dropout 0.05 on the LoRA input,
B = 0 at start) on q/k/v/o (Llama) or c_attn/c_proj (GPT-2), AdamW lr 2e-3 on the LoRA factors only.
`prompt-tuning`: PEFT's soft prompt (n virtual token rows before the input embeddings), AdamW lr 3e-2
on the prompt only. Cross-entropy on every next real token. Prints one JSON line.

    /usr/bin/python3 tools/bench/_train_torch.py <model_dir> <batch> <seq_len> <warmup_steps> <timed_steps> [lora|prompt-tuning] [virtual_tokens] [threads]

The caller sets OMP_NUM_THREADS / OPENBLAS_NUM_THREADS to `threads` (OpenBLAS reads them when it
loads) and OMP_WAIT_POLICY=PASSIVE above one thread: on 2 cores OpenMP's spinning workers and
OpenBLAS's pool otherwise fight for the same cores and PyTorch looks 2-5x slower than it is.
"""
import json
import math
import os
import resource
import sys
import time

import torch
from torch import nn
from torch.nn import functional as F

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "reference"))

from modeling_gpt2 import Conv1D, GPT2LMHeadModel  # noqa: E402
from peft_reference import forward_embeds, linear_shape, load_base, target_matches, word_embeddings  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _torch_env import blas_in_use  # noqa: E402

TARGETS = {"gpt2": ["attn.c_attn", "attn.c_proj"], "llama": ["q_proj", "k_proj", "v_proj", "o_proj"]}


class TrainableLora(nn.Module):
    """peft.tuners.lora.Linear in training: base(x) + B(A(dropout(x))) * alpha / r."""

    def __init__(self, base, r=8, alpha=16, dropout=0.05):
        super().__init__()
        self.base_layer = base
        n_in, n_out = linear_shape(base)
        self.lora_A = nn.Linear(n_in, r, bias=False)
        self.lora_B = nn.Linear(r, n_out, bias=False)
        nn.init.kaiming_uniform_(self.lora_A.weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B.weight)
        self.dropout = nn.Dropout(dropout)
        self.scaling = alpha / r

    def forward(self, x):
        return self.base_layer(x) + self.lora_B(self.lora_A(self.dropout(x))) * self.scaling


def add_lora(model):
    family = "gpt2" if isinstance(model, GPT2LMHeadModel) else "llama"
    for p in model.parameters():
        p.requires_grad_(False)
    names = [n for n, m in model.named_modules() if isinstance(m, (nn.Linear, Conv1D)) and target_matches(n, TARGETS[family])]
    for name in names:
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name)
        setattr(parent, child, TrainableLora(getattr(parent, child)))
    return [p for p in model.parameters() if p.requires_grad]


class SoftPrompt(nn.Module):
    """peft.tuners.prompt_tuning: n trainable rows [n, D] placed before every sequence's embeddings."""

    def __init__(self, n, dim):
        super().__init__()
        self.embedding = nn.Parameter(torch.randn(n, dim))

    def forward(self, embeds):
        return torch.cat([self.embedding[None].expand(embeds.shape[0], -1, -1), embeds], dim=1)


def main():
    model_dir, batch, seq_len, warmup, steps = sys.argv[1], *map(int, sys.argv[2:6])
    method = sys.argv[6] if len(sys.argv) > 6 else "lora"
    virtual = int(sys.argv[7]) if len(sys.argv) > 7 else 20
    threads = int(sys.argv[8]) if len(sys.argv) > 8 else (os.cpu_count() or 1)
    torch.manual_seed(0)
    torch.set_num_threads(threads)
    model = load_base(model_dir)
    if method == "lora":
        params, prompt, lr, decay = add_lora(model), None, 2e-3, 0.01
    else:
        for p in model.parameters():
            p.requires_grad_(False)
        prompt = SoftPrompt(virtual, word_embeddings(model).weight.shape[1])
        params, lr, decay = list(prompt.parameters()), 3e-2, 0.0
    model.train()
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=decay)
    vocab = word_embeddings(model).weight.shape[0]
    ids = torch.randint(0, vocab, (batch, seq_len))
    skip = 0 if prompt is None else virtual  # logits rows of the virtual tokens predict nothing
    losses, start, cpu_start = [], 0.0, 0.0
    for step in range(warmup + steps):
        if step == warmup:
            start, cpu_start = time.perf_counter(), time.process_time()
        embeds = word_embeddings(model)(ids)
        logits = forward_embeds(model, embeds if prompt is None else prompt(embeds))
        loss = F.cross_entropy(logits[:, skip:-1].reshape(-1, vocab), ids[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        losses.append(loss.item())
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    print(json.dumps({
        "tokensPerSecond": batch * seq_len * steps / seconds,
        "tokensPerCpuSecond": batch * seq_len * steps / cpu_seconds,
        "threads": torch.get_num_threads(),
        "blas": blas_in_use(),
        "firstLoss": losses[0],
        "lastLoss": losses[-1],
        "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
