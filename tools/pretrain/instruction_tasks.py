"""Instruction/output pairs derived from the corpus, one builder per task family.

Every target is computed by a fixed rule (first sentence, top keywords, WordNet gloss...), so a
held-out exact-match score measures whether the model learned the rule. Each builder returns dicts
with the fields of the held-out files: task, instruction, input, output, source.
"""
import random
import re

from text_utils import group_sentences, keywords, normalize_space, split_sentences

PHRASINGS = {
    "define": ["Define: {w}", "What does \"{w}\" mean?", "Give a definition of the word \"{w}\"."],
    "synonyms": ["List synonyms of: {w}", "Give synonyms for \"{w}\".", "What are other words for \"{w}\"?"],
    "antonym": ["What is the opposite of \"{w}\"?", "Give an antonym of: {w}", "Antonym of \"{w}\"?"],
    "use_in_sentence": ["Use the word \"{w}\" in a sentence.", "Write a sentence with \"{w}\"."],
    "explain_term": ["What does the hacker term \"{w}\" mean?", "Explain the jargon term \"{w}\"."],
    "title": ["Give this text a title.", "Suggest a title for this text."],
    "summarize": ["Summarize this text in one sentence.", "Give a one-sentence summary."],
    "keywords": ["List the keywords of this text.", "Extract five keywords."],
    "bullets": ["Turn this text into bullet points.", "Rewrite as a bulleted list."],
    "fix_capitalization": ["Fix the capitalization of this text.", "Correct the capital letters."],
}
TASK_FAMILIES = list(PHRASINGS)


def _pair(rng: random.Random, task: str, source: str, output: str, word: str = "", input_text: str = "") -> dict:
    instruction = rng.choice(PHRASINGS[task]).format(w=word)
    return {"task": task, "instruction": instruction, "input": input_text, "output": output, "source": source}


def _is_plain_word(lemma: str) -> bool:
    return lemma.isalpha() and lemma.islower() and 3 <= len(lemma) <= 18


def _as_sentence(text: str) -> str:
    text = text.strip()
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def wordnet_pairs(rng, synsets, senses, lemmas) -> list[dict]:
    """define / synonyms / antonym / use_in_sentence for the given lemmas (most frequent sense first)."""
    pairs = []
    for lemma in lemmas:
        first = synsets[senses[lemma][0]]
        pairs.append(_pair(rng, "define", "wordnet", _as_sentence(first.definition), lemma))
        others = [l for l in first.lemmas if l.lower() != lemma]
        if others:
            pairs.append(_pair(rng, "synonyms", "wordnet", ", ".join(others[:5]), lemma))
        for source_word, target in first.antonyms:
            file_key, offset, word_index = target.split(":")
            if source_word in (0, first.lemmas.index(lemma) + 1 if lemma in first.lemmas else -1):
                target_synset = synsets[f"{file_key}:{offset}"]
                pairs.append(_pair(rng, "antonym", "wordnet", target_synset.lemmas[int(word_index) - 1], lemma))
                break
        for key in senses[lemma]:
            example = next((e for e in synsets[key].examples if lemma in e.split()), None)
            if example:
                pairs.append(_pair(rng, "use_in_sentence", "wordnet", _as_sentence(example), lemma))
                break
    return pairs


def wordnet_lemmas(senses) -> list[str]:
    return sorted(lemma for lemma in senses if _is_plain_word(lemma))


def jargon_pairs(rng, docs) -> list[dict]:
    pairs = []
    for doc in docs:
        definition = doc.meta["definition"].split("\n\n")
        body = next((p for p in definition if not p.startswith("[")), definition[0])
        body = re.sub(r"^\d+\.\s*", "", body)  # numbered senses: keep the first sense's text
        sentences = split_sentences(body)
        if sentences and len(sentences[0]) < 300:
            pairs.append(_pair(rng, "explain_term", "jargon", sentences[0], doc.meta["term"]))
        if 80 <= len(body) <= 600:
            pairs.append(_pair(rng, "title", "jargon", doc.meta["term"], input_text=body))
    return pairs


def paragraphs_of(doc) -> list[str]:
    """Paragraphs of 150-600 characters: real ones where the source has them, else packed sentences."""
    if doc.source == "sotu":
        return group_sentences(split_sentences(doc.text), 200, 600)
    body = doc.meta.get("body", doc.text)
    return [normalize_space(p) for p in body.split("\n\n") if 150 <= len(normalize_space(p)) <= 600]


def text_op_pairs(rng, docs, per_task_limit: int) -> list[dict]:
    """summarize / keywords / bullets / fix_capitalization / title on paragraphs of prose sources."""
    by_task: dict[str, list[dict]] = {t: [] for t in ("summarize", "keywords", "bullets", "fix_capitalization", "title")}
    for doc in docs:
        paragraphs = paragraphs_of(doc)
        if doc.source == "moby_dick" and paragraphs:
            by_task["title"].append(_pair(rng, "title", doc.source, doc.meta["title"].rstrip("."), input_text=paragraphs[0]))
        for paragraph in paragraphs:
            sentences = split_sentences(paragraph)
            if len(sentences) >= 2:
                by_task["summarize"].append(_pair(rng, "summarize", doc.source, sentences[0], input_text=paragraph))
                by_task["keywords"].append(_pair(rng, "keywords", doc.source, ", ".join(keywords(paragraph)), input_text=paragraph))
            if 2 <= len(sentences) <= 4 and len(paragraph) <= 450:
                by_task["bullets"].append(_pair(rng, "bullets", doc.source, "\n".join(f"- {s}" for s in sentences), input_text=paragraph))
            for sentence in sentences:
                if 40 <= len(sentence) <= 200 and sentence.lower() != sentence:
                    by_task["fix_capitalization"].append(
                        _pair(rng, "fix_capitalization", doc.source, sentence, input_text=sentence.lower()))
    pairs = []
    for task, candidates in by_task.items():
        rng.shuffle(candidates)
        pairs.extend(candidates[:per_task_limit])
    return pairs
