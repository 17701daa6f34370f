"""PyTorch side of tools/bench/decode.ts: greedy decode with the KV cache (and without it) on the
same checkpoint and prompt at one thread count, printed as one JSON line. decode.ts runs it once
per thread count with OPENBLAS_NUM_THREADS/OMP_NUM_THREADS set to match (OpenBLAS reads them at
load; torch.set_num_threads alone leaves its pool oversubscribed).

    /usr/bin/python3 tools/bench/_decode_torch.py <model_dir> <prompt ids comma-separated> <new tokens> <threads>
"""
import json
import os
import resource
import sys
import time

import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "reference"))

from modeling_gpt2 import GPT2LMHeadModel  # noqa: E402
from reference_llama import build_llama  # noqa: E402
from safetensors_io import load_file  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _torch_env import blas_in_use  # noqa: E402


def load(model_dir: str):
    cfg = json.load(open(os.path.join(model_dir, "config.json")))
    index = os.path.join(model_dir, "model.safetensors.index.json")
    files = sorted(set(json.load(open(index))["weight_map"].values())) if os.path.exists(index) else ["model.safetensors"]
    state = {}
    for f in files:
        state.update(load_file(os.path.join(model_dir, f))[0])
    model = GPT2LMHeadModel(cfg) if cfg["model_type"] == "gpt2" else build_llama(cfg)
    if cfg["model_type"] == "gpt2":
        state = {k if k.startswith("transformer.") else f"transformer.{k}": v for k, v in state.items()}
    own = model.state_dict()
    with torch.no_grad():
        for name, param in own.items():
            if name in state:
                param.copy_(state[name].float())
    return model.eval()


@torch.no_grad()
def decode(model, prompt, steps, use_cache):
    """Greedy; returns (tokens/s over the decode steps, tokens)."""
    logits, past = model(torch.tensor([prompt]))
    ids = list(prompt)
    out = []
    start = time.perf_counter()
    for _ in range(steps):
        nxt = int(torch.argmax(logits[0, -1]))
        out.append(nxt)
        ids.append(nxt)
        if use_cache:
            logits, past = model(torch.tensor([[nxt]]), past=past)
        else:
            logits, _ = model(torch.tensor([ids]))
    return steps / (time.perf_counter() - start), out


def main():
    model_dir, prompt_text, steps, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    prompt = [int(x) for x in prompt_text.split(",")]
    torch.set_num_threads(threads)
    model = load(model_dir)
    decode(model, prompt, 4, True)  # warm-up
    cached, tokens = decode(model, prompt, steps, True)
    uncached, _ = (0.0, None) if os.environ.get("ATTUNE_BENCH_CACHED_ONLY") else decode(model, prompt, steps, False)
    print(json.dumps({"cached": cached, "uncached": uncached, "tokens": tokens, "blas": blas_in_use(), "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
