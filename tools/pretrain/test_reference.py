"""Tests for tools/reference: safetensors_io and modeling_llama.

    /usr/bin/python3 -m unittest discover -s tools/pretrain -p 'test_*.py'
"""
import json
import os
import struct
import sys
import tempfile
import unittest

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
import modeling_llama as ml  # noqa: E402
import safetensors_io as st  # noqa: E402


def read_json(path: str):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def write_json(path: str, value) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(value, handle)


def tiny_config(**overrides) -> ml.LlamaConfig:
    values = dict(vocab_size=97, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64, rms_norm_eps=1e-5)
    values.update(overrides)
    return ml.LlamaConfig(**values)


class SafetensorsTest(unittest.TestCase):
    def test_round_trip_keeps_dtype_shape_values_and_metadata(self):
        torch.manual_seed(0)
        tensors = {"a.f32": torch.randn(3, 5), "b.f16": torch.randn(7).half(), "c.bf16": torch.randn(2, 2, 3).bfloat16()}
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "x.safetensors")
            st.save_file(tensors, path, metadata={"format": "pt"})
            loaded, metadata = st.load_file(path)
        self.assertEqual(metadata, {"format": "pt"})
        for name, tensor in tensors.items():
            self.assertEqual(loaded[name].dtype, tensor.dtype)
            self.assertTrue(torch.equal(loaded[name], tensor), name)

    def test_header_is_length_prefixed_space_padded_json_with_contiguous_offsets(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "x.safetensors")
            st.save_file({"w": torch.ones(2, 3), "b": torch.zeros(4).half()}, path, metadata={"k": "v"})
            with open(path, "rb") as handle:
                raw = handle.read()
        (length,) = struct.unpack("<Q", raw[:8])
        self.assertEqual(length % 8, 0)
        header = json.loads(raw[8:8 + length])
        self.assertEqual(header["__metadata__"], {"k": "v"})
        self.assertEqual(header["b"], {"dtype": "F16", "shape": [4], "data_offsets": [0, 8]})
        self.assertEqual(header["w"], {"dtype": "F32", "shape": [2, 3], "data_offsets": [8, 32]})
        self.assertEqual(len(raw), 8 + length + 32)
        self.assertEqual(struct.unpack("<f", raw[8 + length + 8:8 + length + 12])[0], 1.0)  # little-endian

    def test_truncated_file_is_rejected_with_a_format_error(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "x.safetensors")
            st.save_file({"w": torch.ones(16)}, path)
            with open(path, "r+b") as handle:
                handle.truncate(os.path.getsize(path) - 4)
            with self.assertRaises(st.SafetensorsFormatError):
                st.load_file(path)


class LlamaReferenceTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.model = ml.LlamaForCausalLM(tiny_config()).eval()

    def test_rotary_matches_complex_rotation_of_half_split_pairs(self):
        # Independent formulation: pair (x_i, x_{i+d/2}) as a complex number, rotate by pos * theta^(-2i/d).
        d, positions = 8, torch.arange(5)
        x = torch.randn(1, 1, 5, d)
        cos, sin = ml.rotary_cos_sin(positions[None], d, 10000.0, torch.float32)
        rotated, _ = ml.apply_rotary(x, x, cos, sin)
        freq = 10000.0 ** (-torch.arange(0, d, 2).float() / d)
        z = torch.complex(x[..., : d // 2], x[..., d // 2:]) * torch.polar(torch.ones(5, d // 2), positions[:, None] * freq)
        expected = torch.cat((z.real, z.imag), dim=-1)
        self.assertTrue(torch.allclose(rotated, expected, atol=1e-5))

    def test_rms_norm_matches_its_definition(self):
        norm = ml.LlamaRMSNorm(6, 1e-5)
        with torch.no_grad():
            norm.weight.copy_(torch.arange(1.0, 7.0))
        x = torch.randn(2, 6)
        expected = x / torch.sqrt((x ** 2).mean(-1, keepdim=True) + 1e-5) * torch.arange(1.0, 7.0)
        self.assertTrue(torch.allclose(norm(x), expected, atol=1e-6))

    def test_repeat_kv_gives_each_query_head_its_group_kv_head(self):
        kv = torch.randn(1, 2, 3, 4)
        repeated = ml.repeat_kv(kv, 3)
        for head in range(6):
            self.assertTrue(torch.equal(repeated[:, head], kv[:, head // 3]))

    def test_attention_is_causal(self):
        ids = torch.randint(0, 97, (1, 10))
        changed = ids.clone()
        changed[0, 7:] = (changed[0, 7:] + 1) % 97
        a, _ = self.model(ids)
        b, _ = self.model(changed)
        self.assertTrue(torch.allclose(a[:, :7], b[:, :7], atol=1e-6))
        self.assertFalse(torch.allclose(a[:, 7:], b[:, 7:], atol=1e-3))

    def test_kv_cache_decoding_equals_full_forward(self):
        ids = torch.randint(0, 97, (2, 12))
        full, _ = self.model(ids)
        first, cache = self.model(ids[:, :5])
        steps = [first]
        for t in range(5, 12):
            logits, cache = self.model(ids[:, t:t + 1], past_key_values=cache)
            steps.append(logits)
        self.assertTrue(torch.allclose(torch.cat(steps, 1), full, atol=1e-5))

    def test_tied_head_shares_the_embedding_and_is_not_saved(self):
        self.assertIs(self.model.lm_head.weight, self.model.model.embed_tokens.weight)
        with tempfile.TemporaryDirectory() as folder:
            ml.save_hf_dir(self.model, folder, dtype=torch.float32)
            tensors, metadata = st.load_file(os.path.join(folder, "model.safetensors"))
            self.assertNotIn("lm_head.weight", tensors)
            self.assertEqual(metadata, {"format": "pt"})
            self.assertIn("model.layers.1.self_attn.k_proj.weight", tensors)
            self.assertEqual(list(tensors["model.layers.1.self_attn.k_proj.weight"].shape), [16, 32])
            reloaded = ml.load_hf_dir(folder)
        ids = torch.randint(0, 97, (1, 9))
        self.assertTrue(torch.equal(reloaded(ids)[0], self.model(ids)[0]))

    def test_fp16_export_stays_close(self):
        with tempfile.TemporaryDirectory() as folder:
            ml.save_hf_dir(self.model, folder, dtype=torch.float16)
            self.assertEqual(read_json(os.path.join(folder, "config.json"))["torch_dtype"], "float16")
            reloaded = ml.load_hf_dir(folder)
        ids = torch.randint(0, 97, (1, 9))
        self.assertLess((reloaded(ids)[0] - self.model(ids)[0]).abs().max().item(), 1e-2)

    def test_mismatched_weights_raise_a_config_error(self):
        with tempfile.TemporaryDirectory() as folder:
            ml.save_hf_dir(self.model, folder)
            config = read_json(os.path.join(folder, "config.json"))
            config["num_hidden_layers"] = 3
            write_json(os.path.join(folder, "config.json"), config)
            with self.assertRaises(ml.ModelConfigError):
                ml.load_hf_dir(folder)

    def test_greedy_generate_stops_at_stop_token(self):
        prompt = [1, 2, 3]
        free = ml.greedy_generate(self.model, prompt, 6, set())
        self.assertEqual(len(free), 6)
        stopped = ml.greedy_generate(self.model, prompt, 6, {free[2]})
        self.assertEqual(stopped, free[:free.index(free[2])])

    def test_qwen2_config_adds_qkv_bias_only(self):
        model = ml.LlamaForCausalLM(tiny_config(model_type="qwen2"))
        attention = model.model.layers[0].self_attn
        self.assertIsNotNone(attention.q_proj.bias)
        self.assertIsNone(attention.o_proj.bias)


if __name__ == "__main__":
    unittest.main()
