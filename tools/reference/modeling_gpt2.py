"""GPT-2 in plain PyTorch, following the published definition (Radford et al. 2019, and Hugging Face
`GPT2LMHeadModel` semantics): learned position embeddings, pre-LayerNorm blocks, fused `c_attn`
Conv1D with weights stored [in, out], GELU with the tanh approximation ("gelu_new"), the LM head
tied to `wte`. Independent of the TypeScript runtime; used for golden logits and the decode bench.

State-dict names are those of GPT2LMHeadModel (`transformer.h.0.attn.c_attn.weight`, ...).
"""
import math

import torch
from torch import nn
from torch.nn import functional as F


class Conv1D(nn.Module):
    """HF/OpenAI Conv1D: a linear layer whose weight is stored [in, out]."""

    def __init__(self, n_in: int, n_out: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_in, n_out))
        self.bias = nn.Parameter(torch.zeros(n_out))
        nn.init.normal_(self.weight, std=0.02)

    def forward(self, x):
        return torch.addmm(self.bias, x.reshape(-1, x.shape[-1]), self.weight).reshape(*x.shape[:-1], -1)


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class Attention(nn.Module):
    def __init__(self, cfg: dict):
        super().__init__()
        d = cfg["n_embd"]
        self.n_head = cfg["n_head"]
        self.c_attn = Conv1D(d, 3 * d)
        self.c_proj = Conv1D(d, d)

    def forward(self, x, past=None, mask=None):
        B, T, D = x.shape
        hs = D // self.n_head
        q, k, v = self.c_attn(x).split(D, dim=2)
        q, k, v = (t.view(B, T, self.n_head, hs).transpose(1, 2) for t in (q, k, v))  # [B, nh, T, hs]
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        S = k.shape[2]
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hs)  # [B, nh, T, S]
        causal = torch.ones(T, S, dtype=torch.bool).tril(diagonal=S - T)
        att = att.masked_fill(~causal, torch.finfo(att.dtype).min)
        if mask is not None:  # [B, S], 1 = keep
            att = att.masked_fill(mask[:, None, None, :] == 0, torch.finfo(att.dtype).min)
        y = F.softmax(att, dim=-1) @ v  # [B, nh, T, hs]
        y = y.transpose(1, 2).contiguous().view(B, T, D)
        return self.c_proj(y), (k, v)


class MLP(nn.Module):
    def __init__(self, cfg: dict):
        super().__init__()
        d = cfg["n_embd"]
        inner = cfg.get("n_inner") or 4 * d
        self.c_fc = Conv1D(d, inner)
        self.c_proj = Conv1D(inner, d)

    def forward(self, x):
        return self.c_proj(gelu_new(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, cfg: dict):
        super().__init__()
        eps = cfg.get("layer_norm_epsilon", 1e-5)
        self.ln_1 = nn.LayerNorm(cfg["n_embd"], eps=eps)
        self.attn = Attention(cfg)
        self.ln_2 = nn.LayerNorm(cfg["n_embd"], eps=eps)
        self.mlp = MLP(cfg)

    def forward(self, x, past=None, mask=None):
        a, present = self.attn(self.ln_1(x), past, mask)
        x = x + a
        return x + self.mlp(self.ln_2(x)), present


class Transformer(nn.Module):
    def __init__(self, cfg: dict):
        super().__init__()
        self.wte = nn.Embedding(cfg["vocab_size"], cfg["n_embd"])
        self.wpe = nn.Embedding(cfg["n_positions"], cfg["n_embd"])
        self.h = nn.ModuleList(Block(cfg) for _ in range(cfg["n_layer"]))
        self.ln_f = nn.LayerNorm(cfg["n_embd"], eps=cfg.get("layer_norm_epsilon", 1e-5))


class GPT2LMHeadModel(nn.Module):
    def __init__(self, cfg: dict):
        super().__init__()
        self.cfg = cfg
        self.transformer = Transformer(cfg)
        self.lm_head = nn.Linear(cfg["n_embd"], cfg["vocab_size"], bias=False)
        self.lm_head.weight = self.transformer.wte.weight  # tied

    def forward(self, ids, past=None, mask=None):
        """ids [B, T]; past: list of (k, v) per layer; mask [B, S_total] (1 = keep). -> logits, presents"""
        past_len = past[0][0].shape[2] if past else 0
        positions = torch.arange(past_len, past_len + ids.shape[1])
        x = self.transformer.wte(ids) + self.transformer.wpe(positions)[None]
        presents = []
        for i, block in enumerate(self.transformer.h):
            x, present = block(x, past[i] if past else None, mask)
            presents.append(present)
        return self.lm_head(self.transformer.ln_f(x)), presents

    def state_dict_hf(self):
        """The GPT2LMHeadModel checkpoint layout (tied head not duplicated)."""
        return {k: v for k, v in self.state_dict().items() if k != "lm_head.weight"}
