"""Small deterministic text helpers shared by the corpus builder and the instruction tasks.

Everything here is a pure function: the same input always yields the same output, so the
instruction targets are reproducible and a held-out exact-match score is meaningful.
"""
import hashlib
import re

# A sentence ends at . ! or ? followed by whitespace and an upper-case letter or an opening quote.
# Abbreviations ("Mr. Smith") are split too; that is fine because the rule is applied identically
# when building targets and never has to agree with a human notion of a sentence.
_SENTENCE_BOUNDARY = re.compile(r'(?<=[.!?])\s+(?=["“‘(\[]?[A-Z])')
_WHITESPACE = re.compile(r"\s+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]")

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just let me
    more most my myself no nor not now of off on once only or other our ours ourselves out over own
    same shall she should so some such than that the their theirs them themselves then there these they
    this those through to too under until up upon very was we were what when where which while who whom
    why will with would you your yours yourself yourselves may might must one two us made make upon
    thus every many much great well said unto shall hath thee thou thy ye also yet""".split()
)


def normalize_space(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_BOUNDARY.split(normalize_space(text)) if s.strip()]


def keywords(text: str, count: int = 5) -> list[str]:
    """The `count` most frequent non-stopword words (lower-cased), ties broken by first occurrence."""
    tally: dict[str, int] = {}
    first_seen: dict[str, int] = {}
    for position, match in enumerate(_WORD.finditer(text)):
        word = match.group(0).lower()
        if word in STOPWORDS or len(word) < 3:
            continue
        tally[word] = tally.get(word, 0) + 1
        first_seen.setdefault(word, position)
    ranked = sorted(tally, key=lambda w: (-tally[w], first_seen[w]))
    return ranked[:count]


def stable_fraction(key: str) -> float:
    """A reproducible number in [0, 1) for a key; used to assign held-out splits without RNG state."""
    digest = hashlib.sha1(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def group_sentences(sentences: list[str], min_chars: int, max_chars: int) -> list[str]:
    """Greedily pack consecutive sentences into paragraphs of min_chars..max_chars characters."""
    paragraphs, current = [], ""
    for sentence in sentences:
        candidate = f"{current} {sentence}".strip()
        if len(candidate) > max_chars and len(current) >= min_chars:
            paragraphs.append(current)
            current = sentence
        else:
            current = candidate
    if len(current) >= min_chars:
        paragraphs.append(current)
    return [p for p in paragraphs if len(p) <= max_chars]
