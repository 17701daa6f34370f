"""Tests for the pretraining pipeline: BPE, chat template, instruction rules, schedule, data order.

    /usr/bin/python3 -m unittest discover -s tools/pretrain -p 'test_*.py'

The tokenizer and template tests run the product's own JS libraries (@huggingface/tokenizers,
@huggingface/jinja) through node, so they need `npm install` to have run.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bpe  # noqa: E402
from chat_template import CHAT_TEMPLATE, SPECIAL_TOKENS, render_messages, render_prompt  # noqa: E402
import text_utils  # noqa: E402
import train  # noqa: E402

MODEL_DIR = os.path.join(HERE, "..", "..", "public", "model")
TRICKY_TEXTS = [
    "Hello World", "你好，世界！这是一个测试。", "emoji 🐳 and ½ ² Ⅻ café naïve", "  leading   spaces\n\n\ttabs\r\n",
    "don't we'll I'M 3.14159 x_y__z", render_prompt("Define: harbor", "") + "A sheltered port.<|end|>\n",
]


def run_js_bridge(request: dict) -> dict:
    result = subprocess.run(["node", os.path.join(HERE, "hf_js_bridge.mjs")], input=json.dumps(request),
                            capture_output=True, text=True, check=True, cwd=os.path.join(HERE, "..", ".."))
    return json.loads(result.stdout)


class BpeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        words = sorted(text_utils.STOPWORDS)
        corpus = [" ".join(words[i:] + words[:i]) for i in range(0, len(words), 7)] + ["猫坐在垫子上。" * 5]
        vocab, merges = bpe.train_bpe(corpus, 300, SPECIAL_TOKENS, log=lambda _: None)
        cls.spec = bpe.tokenizer_json(vocab, merges, SPECIAL_TOKENS)
        cls.tokenizer = bpe.ByteLevelBPE(cls.spec)

    def test_vocabulary_has_specials_bytes_then_merges(self):
        vocab = self.spec["model"]["vocab"]
        self.assertEqual(len(vocab), 300)
        self.assertEqual(sorted(vocab.values()), list(range(300)))  # ids are contiguous
        self.assertEqual([vocab[t] for t in SPECIAL_TOKENS], list(range(len(SPECIAL_TOKENS))))
        self.assertGreaterEqual(len(self.spec["model"]["merges"]), 300 - 256 - len(SPECIAL_TOKENS))

    def test_frequent_words_become_single_tokens(self):
        self.assertEqual(len(self.tokenizer.encode(" the")), 1)
        self.assertGreater(len(self.tokenizer.encode(" zebra")), 1)

    def test_any_utf8_round_trips(self):
        for text in TRICKY_TEXTS + ["unseen words: zebra ключ 🙂"]:
            self.assertEqual(self.tokenizer.decode(self.tokenizer.encode(text)), text)

    def test_special_tokens_are_matched_before_bpe(self):
        ids = self.tokenizer.encode("a<|end|>b")
        self.assertIn(SPECIAL_TOKENS.index("<|end|>"), ids)
        self.assertEqual(self.tokenizer.decode(ids, skip_special=True), "ab")

    def test_pretokenizer_follows_gpt2_rules(self):
        self.assertEqual(bpe.pretokenize("I'm 12 ok!!  x"), ["I", "'m", "Ġ12", "Ġok", "!!", "Ġ", "Ġx"])


class ShippedTokenizerTest(unittest.TestCase):
    """public/model/tokenizer.json: Python encoder and the runtime's JS library must agree exactly."""

    def test_python_and_huggingface_js_give_identical_ids_and_round_trip(self):
        tokenizer = bpe.ByteLevelBPE.from_file(os.path.join(MODEL_DIR, "tokenizer.json"))
        texts = list(TRICKY_TEXTS)
        for path in sorted(glob.glob(os.path.join(HERE, "heldout", "*.jsonl"))):
            with open(path, encoding="utf-8") as handle:
                for line in list(handle)[:5]:
                    pair = json.loads(line)
                    texts.append(render_prompt(pair["instruction"], pair["input"]) + pair["output"] + "<|end|>\n")
        js = run_js_bridge({"modelDir": MODEL_DIR, "texts": texts})["encoded"]
        for text, result in zip(texts, js):
            self.assertEqual(result["ids"], tokenizer.encode(text), text[:60])
            self.assertEqual(result["decoded"], text)
            self.assertEqual(tokenizer.decode(result["ids"]), text)

    def test_vocabulary_size_is_in_the_planned_range(self):
        with open(os.path.join(MODEL_DIR, "tokenizer.json"), encoding="utf-8") as handle:
            spec = json.load(handle)
        self.assertEqual(spec["model"]["type"], "BPE")
        self.assertEqual(spec["pre_tokenizer"]["type"], "ByteLevel")
        self.assertTrue(4000 <= len(spec["model"]["vocab"]) <= 8192)


class ChatTemplateTest(unittest.TestCase):
    def test_python_renderer_matches_jinja_template_as_the_runtime_renders_it(self):
        conversations = [
            {"messages": [{"role": "user", "content": "Define: harbor"}], "addGenerationPrompt": True},
            {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi\n\nthere"},
                          {"role": "assistant", "content": "Hello."}], "addGenerationPrompt": False},
        ]
        with open(os.path.join(MODEL_DIR, "tokenizer_config.json"), encoding="utf-8") as handle:
            self.assertEqual(json.load(handle)["chat_template"], CHAT_TEMPLATE)
        rendered = run_js_bridge({"modelDir": MODEL_DIR, "conversations": conversations})["rendered"]
        for conversation, js_text in zip(conversations, rendered):
            self.assertEqual(render_messages(conversation["messages"], conversation["addGenerationPrompt"]), js_text)

    def test_unknown_role_is_rejected(self):
        with self.assertRaises(ValueError):
            render_messages([{"role": "tool", "content": "x"}], False)


class TextRulesTest(unittest.TestCase):
    def test_sentences_split_on_terminal_punctuation_before_capitals(self):
        self.assertEqual(text_utils.split_sentences("One two. Three? \"Four\" five! six."),
                         ["One two.", "Three?", "\"Four\" five! six."])

    def test_keywords_rank_by_frequency_then_first_occurrence_without_stopwords(self):
        text = "Whales swim. The whale and the ship. Ships sail; whales dive and ships wait."
        self.assertEqual(text_utils.keywords(text, 3), ["whales", "ships", "swim"])

    def test_heldout_files_have_the_required_fields_and_all_families(self):
        from instruction_tasks import TASK_FAMILIES
        files = {os.path.splitext(os.path.basename(p))[0]: p for p in glob.glob(os.path.join(HERE, "heldout", "*.jsonl"))}
        self.assertEqual(sorted(files), sorted(TASK_FAMILIES))
        for task, path in files.items():
            with open(path, encoding="utf-8") as handle:
                rows = [json.loads(line) for line in handle]
            self.assertGreaterEqual(len(rows), 20, task)
            for row in rows:
                self.assertEqual(row["task"], task)
                self.assertTrue(row["instruction"] and row["output"])
                self.assertIn("input", row)


class TrainingLoopPiecesTest(unittest.TestCase):
    def test_learning_rate_warms_up_then_decays_to_the_floor(self):
        args = train.parse_args(["--lr", "1e-3", "--warmup-steps", "10", "--min-lr-ratio", "0.1"])
        rates = [train.learning_rate(step, args, 100) for step in range(120)]
        self.assertAlmostEqual(rates[9], 1e-3)
        self.assertTrue(all(a < b for a, b in zip(rates[:9], rates[1:10])))
        self.assertTrue(all(a >= b for a, b in zip(rates[10:100], rates[11:101])))
        self.assertAlmostEqual(rates[110], 1e-4)

    def test_batches_resume_exactly_from_a_saved_position(self):
        with tempfile.TemporaryDirectory() as folder:
            np.save(os.path.join(folder, "tokens.npy"), np.arange(1000, dtype=np.uint16))
            np.save(os.path.join(folder, "loss_mask.npy"), np.ones(1000, dtype=np.uint8))
            first = train.PackedBatches(folder, 16, 4, seed=7)
            for _ in range(20):  # crosses an epoch boundary (62 windows / 4 per batch)
                first.next()
            epoch, cursor = first.epoch, first.cursor
            expected = first.next()
            second = train.PackedBatches(folder, 16, 4, seed=7)
            second.seek(epoch, cursor)
            actual = second.next()
        self.assertEqual(epoch, 1)
        for a, b in zip(expected, actual):
            self.assertTrue(np.array_equal(a.numpy(), b.numpy()))
        inputs, targets, _ = actual
        self.assertTrue(np.array_equal(inputs[:, 1:].numpy(), targets[:, :-1].numpy()))


    def test_training_stops_at_the_end_of_the_schedule_and_a_rerun_resumes_there(self):
        with tempfile.TemporaryDirectory() as folder:
            data, ckpt, model = (os.path.join(folder, name) for name in ("data", "ckpt", "model"))
            os.makedirs(data)
            np.save(os.path.join(data, "tokens.npy"), (np.arange(2000) % 50).astype(np.uint16))
            np.save(os.path.join(data, "loss_mask.npy"), np.ones(2000, dtype=np.uint8))
            with open(os.path.join(data, "stats.json"), "w") as handle:
                json.dump({"vocab_size": 64}, handle)
            config = os.path.join(folder, "config.json")
            with open(config, "w") as handle:
                json.dump({"architectures": ["LlamaForCausalLM"], "hidden_size": 16, "intermediate_size": 32,
                           "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1,
                           "tie_word_embeddings": True, "eos_token_id": 3, "pad_token_id": 0}, handle)
            argv = ["--data-dir", data, "--ckpt-dir", ckpt, "--model-dir", model, "--model-config", config,
                    "--context", "8", "--batch-size", "2", "--total-tokens", "160", "--warmup-steps", "2"]
            train.main(argv)  # 160 tokens / (2 x 8) per step = a 10-step schedule
            with open(os.path.join(model, "training_state.json")) as handle:
                first = json.load(handle)
            train.main(argv)  # resumes from ckpt/latest.pt at the end: no further step
            with open(os.path.join(model, "training_state.json")) as handle:
                second = json.load(handle)
        self.assertEqual((first["step"], first["tokens_seen"], first["schedule_complete"]), (10, 160, True))
        self.assertEqual(second["step"], 10)
        self.assertEqual(first["device"], "cpu (1 thread)")
        self.assertGreaterEqual(second["train_seconds"], first["train_seconds"])


class EvaluationPiecesTest(unittest.TestCase):
    def test_word_f1_rewards_overlap_and_ignores_case_and_punctuation(self):
        from evaluate import word_f1
        self.assertEqual(word_f1("A sheltered port.", "a sheltered PORT"), 1.0)
        self.assertEqual(word_f1("nothing alike", "a sheltered port"), 0.0)
        self.assertAlmostEqual(word_f1("a port", "a sheltered port"), 0.8)

    def test_model_card_names_every_source_and_shares_add_up(self):
        from corpus_sources import SOURCES
        from model_card import render_model_card
        stats = {"tokens": 1000, "target_tokens": 600, "by_label": {
            "text/sotu": {"units": 1, "tokens": 500, "target_tokens": 500},
            "instruction/wordnet/define": {"units": 10, "tokens": 300, "target_tokens": 60},
            "instruction/jargon/title": {"units": 2, "tokens": 200, "target_tokens": 40}}}
        config = {"architectures": ["LlamaForCausalLM"], "hidden_size": 8, "intermediate_size": 16,
                  "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 4,
                  "vocab_size": 10, "max_position_embeddings": 16, "rope_theta": 10000.0, "rms_norm_eps": 1e-5,
                  "tie_word_embeddings": True, "torch_dtype": "float16"}
        results = {"perplexity": {"sotu": {"perplexity": 12.5, "tokens": 100}},
                   "tasks": {"define": {"exact_match": 0.25, "word_f1": 0.5, "n": 4}},
                   "samples": [{"kind": "chat", "prompt": "Define: x", "output": "y"}]}
        with tempfile.TemporaryDirectory() as model_dir, tempfile.TemporaryDirectory() as data_dir:
            with open(os.path.join(model_dir, "config.json"), "w") as handle:
                json.dump(config, handle)
            with open(os.path.join(data_dir, "stats.json"), "w") as handle:
                json.dump(stats, handle)
            unfinished = render_model_card(model_dir, data_dir, results)
            with open(os.path.join(model_dir, "training_state.json"), "w") as handle:
                json.dump({"schedule_complete": True, "train_seconds": 207, "device": "cuda (GPU X)",
                           "torch_version": "2.0"}, handle)
            card = render_model_card(model_dir, data_dir, results)
        self.assertIn("Training is resumable and not finished", unfinished)
        self.assertIn("The schedule is complete. Trained on cuda (GPU X) for 3.5 minutes (PyTorch 2.0).", card)
        for source in SOURCES.values():
            self.assertIn(source["title"], card)
        self.assertIn("| 500 | 0 | 50.0% | 83.3% |", card)   # sotu: half the tokens, 500 of 600 targets
        self.assertIn("| define | 25.0% | 0.50 | 4 |", card)
        self.assertIn("| define | 10 |", card)
        # The card counts parameters from config.json alone; the real module must agree.
        sys.path.insert(0, os.path.join(HERE, "..", "reference"))
        from modeling_llama import LlamaConfig, LlamaForCausalLM
        expected = LlamaForCausalLM(LlamaConfig.from_dict(config)).num_parameters()
        self.assertIn(f"| parameters | {expected:,} |", card)


if __name__ == "__main__":
    unittest.main()
