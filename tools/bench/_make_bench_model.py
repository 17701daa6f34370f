"""Writes a random-weight checkpoint shaped like the default model (tools/pretrain/model_config.json,
vocabulary 6,144) so decode speed can be measured before, or independently of, public/model/.

    /usr/bin/python3 tools/bench/_make_bench_model.py <out_dir>
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
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    cfg = json.load(open(os.path.join(ROOT, "tools", "pretrain", "model_config.json")))
    cfg.update(vocab_size=6144)
    torch.manual_seed(0)
    model = build_llama(cfg)
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.02) if p.dim() > 1 else p.fill_(1.0)
    json.dump(cfg, open(os.path.join(out, "config.json"), "w"), indent=1)
    save_file(model.checkpoint_state_dict(), os.path.join(out, "model.safetensors"))


if __name__ == "__main__":
    main()
