"""Stage 6: golden outputs of the shipped model, for the TypeScript runtime's parity test.

    /usr/bin/python3 tools/pretrain/golden.py [--model-dir public/model]

Runs the PyTorch reference (tools/reference/modeling_llama.py, which never imports the TS runtime)
on public/model/ and writes test/fixtures/default-model/golden.json: the SHA-256 of the weights
it was made from, the last-position logits of a few chat-templated prompts, and greedy
continuations with the smallest top-1/top-2 logit gap met on the way (so the test can tell a real
mismatch from a near tie). The unit test refuses a golden file whose hash does not match the
shipped weights, so every new export must be followed by this command.
"""
import argparse
import hashlib
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "reference"))
from modeling_llama import load_hf_dir  # noqa: E402
import bpe  # noqa: E402
from chat_template import render_prompt  # noqa: E402
from paths import MODEL_DIR, REPO_ROOT  # noqa: E402

GOLDEN_PATH = os.path.join(REPO_ROOT, "test", "fixtures", "default-model", "golden.json")
PROMPTS = [render_prompt("Define: harbor", ""), render_prompt("Give a title:", "The whale rose from the sea."), "Call me"]
GREEDY_STEPS = 20


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def rounded(values: torch.Tensor) -> list[float]:
    return [float(f"{x:.7g}") for x in values.reshape(-1).tolist()]


@torch.no_grad()
def greedy_with_gap(model, prompt: list[int], steps: int) -> tuple[list[int], float]:
    logits, cache = model(torch.tensor([prompt]))
    new_ids, min_gap = [], float("inf")
    for _ in range(steps):
        top2 = torch.topk(logits[0, -1], 2).values
        min_gap = min(min_gap, float(top2[0] - top2[1]))
        next_id = int(logits[0, -1].argmax())
        new_ids.append(next_id)
        logits, cache = model(torch.tensor([[next_id]]), past_key_values=cache)
    return new_ids, min_gap


@torch.no_grad()
def build_golden(model_dir: str) -> dict:
    model = load_hf_dir(model_dir)
    tokenizer = bpe.ByteLevelBPE.from_file(os.path.join(model_dir, "tokenizer.json"))
    cases = []
    for text in PROMPTS:
        ids = tokenizer.encode(text)
        logits, _ = model(torch.tensor([ids]))
        new_ids, gap = greedy_with_gap(model, ids, GREEDY_STEPS)
        cases.append({"text": text, "ids": ids, "last_logits": rounded(logits[0, -1]),
                      "greedy_new_ids": new_ids, "min_top2_gap": gap})
    with open(os.path.join(model_dir, "training_state.json"), encoding="utf-8") as handle:
        step = json.load(handle).get("step")
    return {"weights_sha256": sha256_of(os.path.join(model_dir, "model.safetensors")), "step": step, "cases": cases}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", default=MODEL_DIR)
    parser.add_argument("--out", default=GOLDEN_PATH)
    args = parser.parse_args()
    golden = build_golden(args.model_dir)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(golden, handle, ensure_ascii=False)
        handle.write("\n")
    print(f"wrote {args.out} (step {golden['step']}, {len(golden['cases'])} prompts)")


if __name__ == "__main__":
    main()
