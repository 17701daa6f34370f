"""Stage 3: tokenise the training split into one packed token stream with a loss mask.

    /usr/bin/python3 tools/pretrain/encode_corpus.py [--context 256] [--seed 1234]

Training units are whole documents and single instruction examples, shuffled with a fixed seed and
joined by <|endoftext|>. Plain text is trained on every token. Instruction examples are rendered
through the product's chat template and trained on the answer tokens and the closing <|end|> only
(mask 1), so the model learns to answer rather than to imitate prompts. Writes tokens.npy (uint16),
loss_mask.npy (uint8, 1 = this token is a training target) and stats.json into the data directory.
"""
import argparse
import json
import os
import random
import sys
import time

import numpy as np

import bpe
from chat_template import END_OF_TEXT, END_OF_TURN, render_prompt
from paths import DATA_DIR, MODEL_DIR


def read_jsonl(path: str):
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def encode_units(tokenizer: bpe.ByteLevelBPE, data_dir: str, context: int):
    """(label, ids, mask) per training unit; instruction examples longer than the context are dropped."""
    eot, end = tokenizer.special[END_OF_TEXT], tokenizer.special[END_OF_TURN]
    units, dropped = [], 0
    for record in read_jsonl(os.path.join(data_dir, "documents.jsonl")):
        if record["split"] == "train":
            ids = tokenizer.encode(record["text"]) + [eot]
            units.append((f"text/{record['source']}", ids, [1] * len(ids)))
    for record in read_jsonl(os.path.join(data_dir, "instructions.jsonl")):
        prompt = tokenizer.encode(render_prompt(record["instruction"], record["input"]))
        answer = tokenizer.encode(record["output"]) + [end]
        if len(prompt) + len(answer) + 1 > context:
            dropped += 1
            continue
        ids = prompt + answer + [eot]
        mask = [0] * len(prompt) + [1] * len(answer) + [0]
        units.append((f"instruction/{record['source']}/{record['task']}", ids, mask))
    return units, dropped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=DATA_DIR)
    parser.add_argument("--tokenizer", default=os.path.join(MODEL_DIR, "tokenizer.json"))
    parser.add_argument("--context", type=int, default=256)
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args()
    started = time.time()
    tokenizer = bpe.ByteLevelBPE.from_file(args.tokenizer)
    if len(tokenizer.id_to_token) > 65535:
        sys.exit("vocabulary does not fit uint16 token files")
    units, dropped = encode_units(tokenizer, args.data, args.context)
    random.Random(args.seed).shuffle(units)
    tokens = np.fromiter((t for _, ids, _ in units for t in ids), dtype=np.uint16)
    mask = np.fromiter((m for _, _, ms in units for m in ms), dtype=np.uint8)
    np.save(os.path.join(args.data, "tokens.npy"), tokens)
    np.save(os.path.join(args.data, "loss_mask.npy"), mask)
    by_label: dict[str, dict] = {}
    for label, ids, ms in units:
        entry = by_label.setdefault(label, {"units": 0, "tokens": 0, "target_tokens": 0})
        entry["units"] += 1
        entry["tokens"] += len(ids)
        entry["target_tokens"] += sum(ms)
    stats = {"tokens": int(tokens.size), "target_tokens": int(mask.sum()), "dropped_long_instructions": dropped,
             "context": args.context, "seed": args.seed, "vocab_size": len(tokenizer.id_to_token),
             "by_label": dict(sorted(by_label.items()))}
    with open(os.path.join(args.data, "stats.json"), "w") as handle:
        json.dump(stats, handle, indent=2)
    print(f"encoded {tokens.size} tokens ({stats['target_tokens']} targets), dropped {dropped} long examples, "
          f"{time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
