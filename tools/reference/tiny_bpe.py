"""A tiny byte-level BPE tokenizer in the Hugging Face `tokenizer.json` layout (GPT-2 style), trained
on a few sentences, with an independent Python encoder used to write golden token ids.

The Python pre-tokenizer is GPT-2's split pattern restricted to ASCII (Python's `re` has no \\p{L});
golden strings are ASCII so it agrees with the full pattern the TypeScript tokenizer applies.
"""
import re
from collections import Counter

SPLIT = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+""")
CORPUS = (
    "The quick brown fox jumps over the lazy dog. "
    "Attune keeps your examples on your own device and trains a small adapter. "
    "Once upon a time there was a tiny model that learned to write the answer. "
    "Instruction: summarise the text. Response: the text is short. "
    "the the the and and to to of of in in it is was that this with for on "
) * 3


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible byte -> printable character map."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


BYTE_CHARS = bytes_to_unicode()


def words(text: str) -> list[str]:
    return ["".join(BYTE_CHARS[b] for b in piece.encode("utf-8")) for piece in SPLIT.findall(text)]


def train(num_merges: int) -> tuple[list[str], list[tuple[str, str]]]:
    """Returns (vocab in id order, merges)."""
    vocab = [BYTE_CHARS[b] for b in range(256)]
    counts = Counter(words(CORPUS))
    split = {w: list(w) for w in counts}
    merges = []
    for _ in range(num_merges):
        pairs = Counter()
        for w, n in counts.items():
            symbols = split[w]
            for a, b in zip(symbols, symbols[1:]):
                pairs[(a, b)] += n
        if not pairs:
            break
        best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
        merges.append(best)
        vocab.append(best[0] + best[1])
        for w in split:
            split[w] = apply_merge(split[w], best)
    return vocab, merges


def apply_merge(symbols: list[str], pair: tuple[str, str]) -> list[str]:
    out, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            out.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return out


def encode(text: str, vocab: list[str], merges: list[tuple[str, str]]) -> list[int]:
    """Standard BPE: repeatedly merge the lowest-ranked adjacent pair within each pre-token."""
    rank = {pair: i for i, pair in enumerate(merges)}
    ids = {tok: i for i, tok in enumerate(vocab)}
    out = []
    for w in words(text):
        symbols = list(w)
        while len(symbols) > 1:
            candidates = [(rank[p], p) for p in zip(symbols, symbols[1:]) if p in rank]
            if not candidates:
                break
            symbols = apply_merge(symbols, min(candidates)[1])
        out.extend(ids[s] for s in symbols)
    return out


def tokenizer_json(vocab: list[str], merges: list[tuple[str, str]], special: list[str]) -> dict:
    added = [
        {"id": len(vocab) + i, "content": tok, "single_word": False, "lstrip": False, "rstrip": False,
         "normalized": False, "special": True}
        for i, tok in enumerate(special)
    ]
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": byte_level,
        "post_processor": None,
        "decoder": byte_level,
        "model": {
            "type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
            "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
            "vocab": {tok: i for i, tok in enumerate(vocab)},
            "merges": [f"{a} {b}" for a, b in merges],
        },
    }
