"""Writes a random-weight checkpoint (safetensors + config.json) in a published shape, so the scale
bench measures real sizes without downloading anything. Weights N(0, 0.02), norms 1, biases 0.
Stored as float32 unless a dtype is given (bfloat16: as SmolLM2 and Qwen2.5 publish theirs).

    /usr/bin/python3 tools/bench/_make_shaped_model.py <out_dir> '<config.json contents>' [float32|float16|bfloat16]
"""
import json
import os
import sys

import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "reference"))

from reference_llama import build_llama  # noqa: E402
from safetensors_io import save_file  # noqa: E402


def main():
    out, cfg = sys.argv[1], json.loads(sys.argv[2])
    dtype = getattr(torch, sys.argv[3]) if len(sys.argv) > 3 else torch.float32
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    model = build_llama(cfg)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias"):
                p.zero_()
            elif p.dim() > 1:
                p.normal_(0, 0.02)
            else:
                p.fill_(1.0)
    with open(os.path.join(out, "config.json"), "w", encoding="utf-8") as handle:
        json.dump(cfg, handle, indent=1)
    state = {name: t.to(dtype) for name, t in model.checkpoint_state_dict().items()}
    save_file(state, os.path.join(out, "model.safetensors"))


if __name__ == "__main__":
    main()
