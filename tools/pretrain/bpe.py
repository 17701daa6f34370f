"""Byte-level BPE (GPT-2 style): trainer, encoder/decoder, and the Hugging Face tokenizer.json layout.

PyPI's `tokenizers` is not reachable here, so this is a small self-contained implementation:
- pre-tokenisation is the GPT-2 regex, with \\p{L} / \\p{N} expanded from unicodedata because the
  standard `re` module has no Unicode property classes (so it splits exactly as the HF Rust/JS code);
- training counts word frequencies once and updates pair counts incrementally per merge;
- encoding caches each pre-token, so a corpus of tens of millions of characters encodes in minutes.
"""
from collections import Counter
import heapq
import json
import re
import sys
import unicodedata


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible map from bytes to printable characters (space becomes 'Ġ')."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    codes, extra = printable[:], 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            codes.append(256 + extra)
            extra += 1
    return dict(zip(printable, map(chr, codes)))


BYTE_TO_CHAR = bytes_to_unicode()
CHAR_TO_BYTE = {c: b for b, c in BYTE_TO_CHAR.items()}


def _unicode_class(prefix: str) -> str:
    """A regex character-class body covering every code point whose category starts with prefix."""
    ranges, start, previous = [], None, None
    for code in range(sys.maxunicode + 1):
        if unicodedata.category(chr(code)).startswith(prefix):
            if start is None:
                start = code
            previous = code
        elif start is not None:
            ranges.append((start, previous))
            start = None
    if start is not None:
        ranges.append((start, previous))
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)


_L, _N = _unicode_class("L"), _unicode_class("N")
# The GPT-2 pattern: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
PRETOKENIZE = re.compile(rf"'s|'t|'re|'ve|'m|'ll|'d| ?[{_L}]+| ?[{_N}]+| ?[^\s{_L}{_N}]+|\s+(?!\S)|\s+")


def pretokenize(text: str) -> list[str]:
    """Pre-tokens as byte-level strings (each UTF-8 byte mapped to one printable character)."""
    return ["".join(BYTE_TO_CHAR[b] for b in piece.encode("utf-8")) for piece in PRETOKENIZE.findall(text)]


def train_bpe(texts, vocab_size: int, special_tokens: list[str], log=print) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Learn merges until the vocabulary (specials + 256 bytes + merges) reaches vocab_size."""
    word_counts: Counter = Counter()
    for text in texts:
        word_counts.update(pretokenize(text))
    vocab = {token: i for i, token in enumerate(special_tokens)}
    for b in range(256):
        vocab[BYTE_TO_CHAR[b]] = len(vocab)
    symbols = [list(word) for word in word_counts]       # each word as a list of current tokens
    freqs = list(word_counts.values())
    pair_counts: Counter = Counter()
    pair_words: dict[tuple[str, str], set[int]] = {}
    for index, word in enumerate(symbols):
        for pair in zip(word, word[1:]):
            pair_counts[pair] += freqs[index]
            pair_words.setdefault(pair, set()).add(index)
    heap = [(-count, pair) for pair, count in pair_counts.items()]
    heapq.heapify(heap)
    merges: list[tuple[str, str]] = []
    log(f"bpe: {len(symbols)} distinct pre-tokens, {sum(freqs)} in total")
    while len(vocab) < vocab_size and heap:
        negative, pair = heapq.heappop(heap)
        if pair_counts.get(pair, 0) != -negative or negative == 0:
            continue  # stale heap entry: the count changed since it was pushed
        merged = pair[0] + pair[1]
        merges.append(pair)
        if merged not in vocab:  # two different merges can spell the same token: keep its first id
            vocab[merged] = len(vocab)
        touched: set[tuple[str, str]] = set()
        for index in pair_words.pop(pair, ()):
            word, freq = symbols[index], freqs[index]
            for old in zip(word, word[1:]):
                pair_counts[old] -= freq
                touched.add(old)
            symbols[index] = word = _merge_word(word, pair, merged)
            for new in zip(word, word[1:]):
                pair_counts[new] += freq
                pair_words.setdefault(new, set()).add(index)
                touched.add(new)
        pair_counts.pop(pair, None)
        for changed in touched:
            count = pair_counts.get(changed, 0)
            if count > 0:
                heapq.heappush(heap, (-count, changed))
            elif changed in pair_counts:
                del pair_counts[changed]
        if len(merges) % 1000 == 0:
            log(f"bpe: {len(merges)} merges, vocab {len(vocab)}")
    return vocab, merges


def _merge_word(word: list[str], pair: tuple[str, str], merged: str) -> list[str]:
    out, i = [], 0
    while i < len(word):
        if i + 1 < len(word) and word[i] == pair[0] and word[i + 1] == pair[1]:
            out.append(merged)
            i += 2
        else:
            out.append(word[i])
            i += 1
    return out


def tokenizer_json(vocab: dict[str, int], merges: list[tuple[str, str]], special_tokens: list[str]) -> dict:
    """The Hugging Face `tokenizers` serialisation of a GPT-2 style byte-level BPE."""
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": False, "special": True}
            for t in special_tokens
        ],
        "normalizer": None,
        "pre_tokenizer": byte_level,
        "post_processor": {**byte_level, "trim_offsets": False},
        "decoder": byte_level,
        "model": {
            "type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
            "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
            "vocab": vocab, "merges": [f"{a} {b}" for a, b in merges],
        },
    }


class ByteLevelBPE:
    """Encoder/decoder for a tokenizer.json written by `tokenizer_json` (or any GPT-2 style one)."""

    def __init__(self, spec: dict):
        model = spec["model"]
        self.vocab: dict[str, int] = model["vocab"]
        self.id_to_token = {i: t for t, i in self.vocab.items()}
        merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in model["merges"]]
        self.ranks = {pair: rank for rank, pair in enumerate(merges)}
        self.special = {t["content"]: t["id"] for t in spec["added_tokens"]}
        for content, token_id in self.special.items():
            self.id_to_token[token_id] = content
        self._special_split = re.compile("(" + "|".join(map(re.escape, sorted(self.special, key=len, reverse=True))) + ")")
        self._cache: dict[str, list[int]] = {}

    @classmethod
    def from_file(cls, path: str) -> "ByteLevelBPE":
        with open(path, encoding="utf-8") as handle:
            return cls(json.load(handle))

    def encode(self, text: str) -> list[int]:
        """Special tokens are matched literally first, as HF does for added tokens."""
        ids: list[int] = []
        for segment in self._special_split.split(text):
            if not segment:
                continue
            if segment in self.special:
                ids.append(self.special[segment])
                continue
            for piece in PRETOKENIZE.findall(segment):
                cached = self._cache.get(piece)
                if cached is None:
                    byte_chars = "".join(BYTE_TO_CHAR[b] for b in piece.encode("utf-8"))
                    cached = self._cache[piece] = [self.vocab[t] for t in self._bpe(byte_chars)]
                ids.extend(cached)
        return ids

    def _bpe(self, piece: str) -> list[str]:
        word = list(piece)
        while len(word) > 1:
            best = min(zip(word, word[1:]), key=lambda pair: self.ranks.get(pair, 1 << 30))
            if best not in self.ranks:
                break
            word = _merge_word(word, best, best[0] + best[1])
        return word

    def decode(self, ids: list[int], skip_special: bool = False) -> str:
        out, pending = [], bytearray()
        for token_id in ids:
            token = self.id_to_token[token_id]
            if token in self.special:
                out.append(pending.decode("utf-8", errors="replace"))
                pending = bytearray()
                if not skip_special:
                    out.append(token)
            else:
                pending.extend(CHAR_TO_BYTE[c] for c in token)
        out.append(pending.decode("utf-8", errors="replace"))
        return "".join(out)
