"""Stage 2: train the byte-level BPE tokenizer and write it into public/model/.

    /usr/bin/python3 tools/pretrain/train_tokenizer.py [--vocab-size 6144]

Trains on the training split only (documents + instruction/output text), then writes
public/model/tokenizer.json and public/model/tokenizer_config.json (with the chat template).
"""
import argparse
import json
import os
import time

import bpe
from chat_template import CHAT_TEMPLATE, END_OF_TEXT, END_OF_TURN, SPECIAL_TOKENS
from paths import DATA_DIR, MODEL_DIR


def training_texts(data_dir: str):
    with open(os.path.join(data_dir, "documents.jsonl"), encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["split"] == "train":
                yield record["text"]
    with open(os.path.join(data_dir, "instructions.jsonl"), encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            yield record["instruction"] + "\n" + record["output"]  # inputs repeat corpus paragraphs


def tokenizer_config(model_max_length: int) -> dict:
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": None,
        "eos_token": END_OF_TURN,
        "pad_token": END_OF_TEXT,
        "unk_token": None,
        "model_max_length": model_max_length,
        "clean_up_tokenization_spaces": False,
        "add_bos_token": False,
        "add_eos_token": False,
        "chat_template": CHAT_TEMPLATE,
        "added_tokens_decoder": {
            str(i): {"content": t, "lstrip": False, "normalized": False, "rstrip": False,
                     "single_word": False, "special": True}
            for i, t in enumerate(SPECIAL_TOKENS)
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=DATA_DIR)
    parser.add_argument("--out", default=MODEL_DIR)
    parser.add_argument("--vocab-size", type=int, default=6144)
    parser.add_argument("--model-max-length", type=int, default=256)
    args = parser.parse_args()
    started = time.time()
    vocab, merges = bpe.train_bpe(training_texts(args.data), args.vocab_size, SPECIAL_TOKENS)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "tokenizer.json"), "w", encoding="utf-8") as handle:
        json.dump(bpe.tokenizer_json(vocab, merges, SPECIAL_TOKENS), handle, ensure_ascii=False)
    with open(os.path.join(args.out, "tokenizer_config.json"), "w", encoding="utf-8") as handle:
        json.dump(tokenizer_config(args.model_max_length), handle, ensure_ascii=False, indent=2)
    print(f"tokenizer: vocab {len(vocab)}, {len(merges)} merges, {time.time() - started:.0f} s -> {args.out}")


if __name__ == "__main__":
    main()
