"""Stage 6: evaluate the exported model and write its model card (public/model/README.md).

    nice -n 5 /usr/bin/python3 tools/pretrain/evaluate.py --threads 1

Measures, on data never trained on: perplexity per source (held-out documents), greedy exact match
per instruction task family (tools/pretrain/heldout/*.jsonl), plus ten fixed sample generations.
Writes public/model/eval_results.json and renders the model card from those figures only.
"""
import argparse
import glob
import json
import math
import os
import re
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
from modeling_llama import greedy_generate, load_hf_dir  # noqa: E402
import bpe  # noqa: E402
from chat_template import END_OF_TEXT, END_OF_TURN, render_prompt  # noqa: E402
from model_card import render_model_card  # noqa: E402
from paths import DATA_DIR, HELDOUT_DIR, MODEL_DIR  # noqa: E402

SAMPLE_PROMPTS = [
    ("chat", "Define: harbor"),
    ("chat", "List synonyms of: happy"),
    ("chat", "What is the opposite of \"ancient\"?"),
    ("chat", "Use the word \"river\" in a sentence."),
    ("chat", "Summarize this text in one sentence.\n\nThe ship left the harbor at dawn. The crew was tired but hopeful. "
             "By noon the coast had disappeared behind them."),
    ("chat", "Fix the capitalization of this text.\n\nthe president spoke to congress in washington."),
    ("text", "Fellow-Citizens of the Senate and House of Representatives:"),
    ("text", "Call me Ishmael."),
    ("text", "hacker (n.):"),
    ("text", "The secret of happiness is"),
]


def perplexity(model, ids: list[int], context: int, max_tokens: int) -> tuple[float, int]:
    """exp(mean next-token NLL) over non-overlapping windows, on at most max_tokens targets."""
    ids = ids[:max_tokens + 1]
    total, count = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(ids) - 1, context):
            window = torch.tensor([ids[start:start + context + 1]])
            if window.shape[1] < 2:
                break
            logits, _ = model(window[:, :-1])
            total += F.cross_entropy(logits[0], window[0, 1:], reduction="sum").item()
            count += window.shape[1] - 1
    return math.exp(total / count), count


def heldout_perplexities(model, tokenizer, data_dir: str, context: int, max_tokens: int) -> dict:
    streams: dict[str, list[int]] = {}
    eot = tokenizer.special[END_OF_TEXT]
    with open(os.path.join(data_dir, "documents.jsonl"), encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            stream = streams.setdefault(record["source"], [])
            if record["split"] == "heldout" and len(stream) <= max_tokens:
                stream.extend(tokenizer.encode(record["text"]) + [eot])
    results = {}
    for source, stream in sorted(streams.items()):
        if stream:
            value, count = perplexity(model, stream, context, max_tokens)
            results[source] = {"perplexity": round(value, 2), "tokens": count}
    return results


def word_f1(prediction: str, reference: str) -> float:
    predicted, expected = re.findall(r"\w+", prediction.lower()), re.findall(r"\w+", reference.lower())
    if not predicted or not expected:
        return float(predicted == expected)
    common = sum(min(predicted.count(w), expected.count(w)) for w in set(expected))
    if common == 0:
        return 0.0
    precision, recall = common / len(predicted), common / len(expected)
    return 2 * precision * recall / (precision + recall)


def task_scores(model, tokenizer, heldout_dir: str, context: int, limit: int | None) -> dict:
    stop = {tokenizer.special[END_OF_TURN], tokenizer.special[END_OF_TEXT]}
    scores = {}
    for path in sorted(glob.glob(os.path.join(heldout_dir, "*.jsonl"))):
        with open(path, encoding="utf-8") as handle:
            pairs = [json.loads(line) for line in handle][:limit]
        exact, f1 = 0, 0.0
        for pair in pairs:
            prompt = tokenizer.encode(render_prompt(pair["instruction"], pair["input"]))
            budget = min(len(tokenizer.encode(pair["output"])) + 16, 160)
            answer = tokenizer.decode(greedy_generate(model, prompt, budget, stop, context)).strip()
            exact += answer == pair["output"].strip()
            f1 += word_f1(answer, pair["output"])
        task = os.path.splitext(os.path.basename(path))[0]
        scores[task] = {"exact_match": round(exact / len(pairs), 4), "word_f1": round(f1 / len(pairs), 4), "n": len(pairs)}
    return scores


def sample_generations(model, tokenizer, context: int) -> list[dict]:
    stop = {tokenizer.special[END_OF_TURN], tokenizer.special[END_OF_TEXT]}
    samples = []
    for kind, prompt in SAMPLE_PROMPTS:
        text = render_prompt(prompt, "") if kind == "chat" else prompt
        generated = greedy_generate(model, tokenizer.encode(text), 60, stop, context)
        samples.append({"kind": kind, "prompt": prompt, "output": tokenizer.decode(generated)})
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", default=MODEL_DIR)
    parser.add_argument("--data-dir", default=DATA_DIR)
    parser.add_argument("--heldout-dir", default=HELDOUT_DIR)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--ppl-tokens", type=int, default=16_000, help="held-out tokens per source")
    parser.add_argument("--limit-per-task", type=int, default=None)
    parser.add_argument("--no-card", action="store_true", help="only write eval_results.json")
    parser.add_argument("--card-only", action="store_true",
                        help="re-render README.md from the existing eval_results.json (no evaluation)")
    args = parser.parse_args()
    if args.card_only:
        saved = os.path.join(args.model_dir, "eval_results.json")
        if not os.path.exists(saved):
            sys.exit(f"--card-only needs {saved}: run evaluate.py without it first")
        with open(saved, encoding="utf-8") as handle:
            results = json.load(handle)
        with open(os.path.join(args.model_dir, "README.md"), "w", encoding="utf-8") as handle:
            handle.write(render_model_card(args.model_dir, args.data_dir, results))
        return
    torch.set_num_threads(args.threads)
    started = time.time()
    model = load_hf_dir(args.model_dir)
    tokenizer = bpe.ByteLevelBPE.from_file(os.path.join(args.model_dir, "tokenizer.json"))
    context = model.config.max_position_embeddings
    results = {
        "perplexity": heldout_perplexities(model, tokenizer, args.data_dir, context, args.ppl_tokens),
        "tasks": task_scores(model, tokenizer, args.heldout_dir, context, args.limit_per_task),
        "samples": sample_generations(model, tokenizer, context),
    }
    results["seconds"] = round(time.time() - started)
    with open(os.path.join(args.model_dir, "eval_results.json"), "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=2, ensure_ascii=False)
    if not args.no_card:
        with open(os.path.join(args.model_dir, "README.md"), "w", encoding="utf-8") as handle:
            handle.write(render_model_card(args.model_dir, args.data_dir, results))
    print(json.dumps({k: v for k, v in results.items() if k != "samples"}, indent=2))


if __name__ == "__main__":
    main()
