"""Llama-family decoder (HF LlamaForCausalLM / Qwen2ForCausalLM semantics) in plain PyTorch, for
the runtime's golden fixtures and the decode bench: RMSNorm, rotary embeddings in the rotate_half
convention, grouped-query attention (repeat_kv), SwiGLU MLP, q/k/v biases for Qwen2 (or Llama with
attention_bias), tied or untied head. State-dict names match the HF checkpoints.

`tools/reference/modeling_llama.py` (written for the default model) is the project's main Llama
reference; this file exists so the runtime fixtures also carry the KV-cache and padding-mask
interface the parity tests need. make_fixtures.py cross-checks the two when both are present.
"""
import torch
from torch import nn
from torch.nn import functional as F


class RMSNorm(nn.Module):
    def __init__(self, size: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x):
        variance = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(variance + self.eps))


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


def rope(positions: torch.Tensor, head_dim: int, theta: float):
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))
    freqs = positions.float()[:, None] * inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)  # [T, hd]
    return emb.cos(), emb.sin()


class Attention(nn.Module):
    def __init__(self, cfg: dict):
        super().__init__()
        d = cfg["hidden_size"]
        self.nh = cfg["num_attention_heads"]
        self.nkv = cfg.get("num_key_value_heads") or self.nh
        self.hd = cfg.get("head_dim") or d // self.nh
        qkv_bias = cfg["model_type"] == "qwen2" or cfg.get("attention_bias", False)
        self.q_proj = nn.Linear(d, self.nh * self.hd, bias=qkv_bias)
        self.k_proj = nn.Linear(d, self.nkv * self.hd, bias=qkv_bias)
        self.v_proj = nn.Linear(d, self.nkv * self.hd, bias=qkv_bias)
        self.o_proj = nn.Linear(self.nh * self.hd, d, bias=cfg["model_type"] != "qwen2" and cfg.get("attention_bias", False))

    def forward(self, x, cos, sin, past, mask):
        B, T, _ = x.shape
        q = self.q_proj(x).view(B, T, self.nh, self.hd).transpose(1, 2)  # [B, nh, T, hd]
        k = self.k_proj(x).view(B, T, self.nkv, self.hd).transpose(1, 2)  # [B, nkv, T, hd]
        v = self.v_proj(x).view(B, T, self.nkv, self.hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        present = (k, v)
        groups = self.nh // self.nkv
        k = k.repeat_interleave(groups, dim=1)  # repeat_kv
        v = v.repeat_interleave(groups, dim=1)
        S = k.shape[2]
        att = (q @ k.transpose(-2, -1)) / self.hd ** 0.5  # [B, nh, T, S]
        causal = torch.ones(T, S, dtype=torch.bool).tril(diagonal=S - T)
        att = att.masked_fill(~causal, torch.finfo(att.dtype).min)
        if mask is not None:
            att = att.masked_fill(mask[:, None, None, :] == 0, torch.finfo(att.dtype).min)
        y = (F.softmax(att, dim=-1) @ v).transpose(1, 2).reshape(B, T, self.nh * self.hd)
        return self.o_proj(y), present


class MLP(nn.Module):
    def __init__(self, cfg: dict):
        super().__init__()
        d, i = cfg["hidden_size"], cfg["intermediate_size"]
        self.gate_proj = nn.Linear(d, i, bias=False)
        self.up_proj = nn.Linear(d, i, bias=False)
        self.down_proj = nn.Linear(i, d, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, cfg: dict):
        super().__init__()
        eps = cfg.get("rms_norm_eps", 1e-6)
        self.input_layernorm = RMSNorm(cfg["hidden_size"], eps)
        self.self_attn = Attention(cfg)
        self.post_attention_layernorm = RMSNorm(cfg["hidden_size"], eps)
        self.mlp = MLP(cfg)

    def forward(self, x, cos, sin, past, mask):
        a, present = self.self_attn(self.input_layernorm(x), cos, sin, past, mask)
        x = x + a
        return x + self.mlp(self.post_attention_layernorm(x)), present


class Backbone(nn.Module):
    def __init__(self, cfg: dict):
        super().__init__()
        self.embed_tokens = nn.Embedding(cfg["vocab_size"], cfg["hidden_size"])
        self.layers = nn.ModuleList(DecoderLayer(cfg) for _ in range(cfg["num_hidden_layers"]))
        self.norm = RMSNorm(cfg["hidden_size"], cfg.get("rms_norm_eps", 1e-6))


class LlamaForCausalLM(nn.Module):
    def __init__(self, cfg: dict):
        super().__init__()
        self.cfg = cfg
        self.model = Backbone(cfg)
        self.lm_head = nn.Linear(cfg["hidden_size"], cfg["vocab_size"], bias=False)
        if cfg.get("tie_word_embeddings", False):
            self.lm_head.weight = self.model.embed_tokens.weight

    def forward(self, ids, past=None, mask=None):
        """ids [B, T]; past: list of (k, v); mask [B, S_total] (1 = keep). -> logits, presents"""
        past_len = past[0][0].shape[2] if past else 0
        hd = self.model.layers[0].self_attn.hd
        cos, sin = rope(torch.arange(past_len, past_len + ids.shape[1]), hd, self.cfg.get("rope_theta", 10000.0))
        x = self.model.embed_tokens(ids)
        presents = []
        for i, layer in enumerate(self.model.layers):
            x, present = layer(x, cos, sin, past[i] if past else None, mask)
            presents.append(present)
        return self.lm_head(self.model.norm(x)), presents

    def checkpoint_state_dict(self):
        state = self.state_dict()
        if self.cfg.get("tie_word_embeddings", False):
            state.pop("lm_head.weight")
        return state


def build_llama(cfg: dict) -> LlamaForCausalLM:
    return LlamaForCausalLM(cfg)
