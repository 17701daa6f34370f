"""Stage 1: build the training corpus and the instruction pairs from the licensed sources.

    /usr/bin/python3 tools/pretrain/build_corpus.py [--out /work/attune-pretrain/data] [--seed 1234]

Writes <out>/documents.jsonl (plain text, field `split` = train|heldout), <out>/instructions.jsonl
(training pairs only) and tools/pretrain/heldout/<task>.jsonl (the committed held-out pairs).
Held-out documents and lemmas are excluded from every training record, plain text included.
"""
import argparse
import json
import os
import random

import corpus_sources as cs
import instruction_tasks as tasks
from paths import DATA_DIR, HELDOUT_DIR
from text_utils import stable_fraction

HELDOUT_FRACTION = {"sotu": 0.03, "moby_dick": 0.05, "fortunes": 0.02, "jargon": 0.04, "wordnet": 0.01}
HELDOUT_PAIRS_PER_TASK = 50
WORDNET_TEXT_SYNSETS = 40_000     # dictionary lines kept as plain text (the whole of WordNet would dominate)
WORDNET_LEMMAS_FOR_PAIRS = 30_000
WORDNET_HELDOUT_SYNSETS = 400
TEXT_OP_PAIRS_PER_TASK = 9_000


def is_heldout(source: str, key: str) -> bool:
    return stable_fraction(f"{source}:{key}") < HELDOUT_FRACTION[source]


def write_jsonl(path: str, records: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def build(out_dir: str, seed: int) -> dict:
    rng = random.Random(seed)
    prose = cs.read_sotu() + cs.read_moby_dick() + cs.read_fortunes()
    jargon = cs.read_jargon()
    synsets, senses = cs.read_wordnet()

    lemmas = tasks.wordnet_lemmas(senses)
    heldout_lemmas = {l for l in lemmas if is_heldout("wordnet", l)}
    train_lemmas = [l for l in lemmas if l not in heldout_lemmas]
    rng.shuffle(train_lemmas)

    wordnet_docs = cs.wordnet_documents(synsets, heldout_lemmas)
    rng.shuffle(wordnet_docs)
    wordnet_docs = wordnet_docs[:WORDNET_TEXT_SYNSETS]

    documents = []
    for doc in prose + jargon + wordnet_docs:
        split = "heldout" if doc.source != "wordnet" and is_heldout(doc.source, doc.doc_id) else "train"
        documents.append({"source": doc.source, "id": doc.doc_id, "split": split, "text": doc.text})
    # WordNet's held-out text is the dictionary lines of held-out lemmas (never trained on).
    trained_keys = {d.doc_id for d in cs.wordnet_documents(synsets, heldout_lemmas)}
    heldout_wordnet = [d for d in cs.wordnet_documents(synsets, set()) if d.doc_id not in trained_keys]
    for doc in sorted(heldout_wordnet, key=lambda d: d.doc_id)[:WORDNET_HELDOUT_SYNSETS]:
        documents.append({"source": "wordnet", "id": doc.doc_id, "split": "heldout", "text": doc.text})
    heldout_ids = {(d["source"], d["id"]) for d in documents if d["split"] == "heldout"}

    def docs_in(split_is_heldout: bool, docs):
        return [d for d in docs if ((d.source, d.doc_id) in heldout_ids) == split_is_heldout]

    train_pairs = (tasks.wordnet_pairs(rng, synsets, senses, train_lemmas[:WORDNET_LEMMAS_FOR_PAIRS])
                   + tasks.jargon_pairs(rng, docs_in(False, jargon))
                   + tasks.text_op_pairs(rng, docs_in(False, prose), TEXT_OP_PAIRS_PER_TASK))
    heldout_pairs = (tasks.wordnet_pairs(rng, synsets, senses, sorted(heldout_lemmas))
                     + tasks.jargon_pairs(rng, docs_in(True, jargon))
                     + tasks.text_op_pairs(rng, docs_in(True, prose), 10_000))
    rng.shuffle(train_pairs)

    os.makedirs(out_dir, exist_ok=True)
    os.makedirs(HELDOUT_DIR, exist_ok=True)
    write_jsonl(os.path.join(out_dir, "documents.jsonl"), documents)
    write_jsonl(os.path.join(out_dir, "instructions.jsonl"), train_pairs)
    summary = {"documents": {}, "train_pairs": {}, "heldout_pairs": {}}
    for d in documents:
        key = f"{d['source']}/{d['split']}"
        summary["documents"][key] = summary["documents"].get(key, 0) + len(d["text"])
    for family in tasks.TASK_FAMILIES:
        family_heldout = [p for p in heldout_pairs if p["task"] == family]
        random.Random(f"{seed}:{family}").shuffle(family_heldout)
        write_jsonl(os.path.join(HELDOUT_DIR, f"{family}.jsonl"), family_heldout[:HELDOUT_PAIRS_PER_TASK])
        summary["heldout_pairs"][family] = min(len(family_heldout), HELDOUT_PAIRS_PER_TASK)
        summary["train_pairs"][family] = sum(1 for p in train_pairs if p["task"] == family)
    with open(os.path.join(out_dir, "corpus_summary.json"), "w") as handle:
        json.dump(summary, handle, indent=2)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=DATA_DIR)
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args()
    print(json.dumps(build(args.out, args.seed), indent=2))


if __name__ == "__main__":
    main()
