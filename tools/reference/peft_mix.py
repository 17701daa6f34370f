"""PEFT's LoraModel.add_weighted_adapter (peft/tuners/lora/model.py), `linear` and `svd`, on saved
adapter folders, for Attune's mix parity test. PEFT itself is not installable here; this follows its
source line by line on the saved tensors (lora_A [r, in], lora_B [out, r]):

* `linear` (all ranks equal; one adapter is always mixed linearly): per module
  A' = sum sqrt(|w*s|) * sign(w*s) * A and B' = sum sqrt(|w*s|) * B, s = the adapter's scaling.
* `svd`: delta = sum (w*s) * get_delta_weight, where get_delta_weight = B @ A * s (transposed and
  transposed back for fan_in_fan_out, so it cancels); U, S, Vh = torch.linalg.svd(delta);
  B' = U[:, :rank] @ diag(S[:rank]), A' = Vh[:rank].
* The new config is the first adapter's with r = lora_alpha = rank, rank/alpha patterns cleared,
  use_rslora false (PEFT >= the rsLoRA fix) and target_modules the union (lists) or `(a)|(b)` (strings).

    /usr/bin/python3 tools/reference/peft_mix.py --out DIR --combination linear|svd [--rank N] ADAPTER_DIR:WEIGHT ...
"""
import argparse
import json
import math
import os

import torch

from safetensors_io import load_file, save_file


def scaling(config: dict) -> float:
    r, alpha = config["r"], config["lora_alpha"]
    return alpha / math.sqrt(r) if config.get("use_rslora") else alpha / r


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--combination", choices=["linear", "svd"], required=True)
    parser.add_argument("--rank", type=int)
    parser.add_argument("adapters", nargs="+", help="DIR:WEIGHT")
    args = parser.parse_args()
    parts = []
    for spec in args.adapters:
        path, _, weight = spec.rpartition(":")
        with open(os.path.join(path, "adapter_config.json"), encoding="utf-8") as handle:
            config = json.load(handle)
        tensors, _ = load_file(os.path.join(path, "adapter_model.safetensors"))
        parts.append((config, {k: v.double() for k, v in tensors.items()}, float(weight)))
    combination = "linear" if len(parts) == 1 else args.combination
    ranks = [c["r"] for c, _, _ in parts]
    if combination == "linear":
        if len(set(ranks)) != 1:
            raise SystemExit("All adapters must have the same r value when using combination_type linear")
        rank = ranks[0]
    else:
        rank = args.rank or max(ranks)
    targets = [c["target_modules"] for c, _, _ in parts]
    if all(isinstance(t, str) for t in targets):
        new_targets = "|".join(f"({t})" for t in targets)
    else:
        seen = []
        for t in targets:
            for name in t:
                if name not in seen:
                    seen.append(name)
        new_targets = seen
    modules = []
    for _, tensors, _ in parts:
        for key in tensors:
            module = key.removesuffix(".lora_A.weight")
            if key.endswith(".lora_A.weight") and module not in modules:
                modules.append(module)
    out = {}
    for module in modules:
        present = [(c, t, w) for c, t, w in parts if f"{module}.lora_A.weight" in t]
        if combination == "linear":
            a = sum(math.sqrt(abs(w * scaling(c))) * (1 if w * scaling(c) >= 0 else -1) * t[f"{module}.lora_A.weight"] for c, t, w in present)
            b = sum(math.sqrt(abs(w * scaling(c))) * t[f"{module}.lora_B.weight"] for c, t, w in present)
        else:
            delta = sum((w * scaling(c)) * (t[f"{module}.lora_B.weight"] @ t[f"{module}.lora_A.weight"] * scaling(c)) for c, t, w in present)
            u, s, vh = torch.linalg.svd(delta, full_matrices=True)
            b = u[:, :rank] @ torch.diag(s[:rank])
            a = vh[:rank, :]
        out[f"{module}.lora_A.weight"] = a.float().contiguous()
        out[f"{module}.lora_B.weight"] = b.float().contiguous()
    config = dict(parts[0][0], r=rank, lora_alpha=rank, target_modules=new_targets, rank_pattern={}, alpha_pattern={}, use_rslora=False)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "adapter_config.json"), "w", encoding="utf-8") as handle:
        json.dump(config, handle, indent=2)
    save_file(out, os.path.join(args.out, "adapter_model.safetensors"))


if __name__ == "__main__":
    main()
