"""A readable PyTorch Llama with exactly the semantics of Hugging Face `LlamaForCausalLM`.

Written from the published architecture (Llama: RMSNorm pre-norm, rotary position embeddings with
`rotate_half`, grouped-query attention via `repeat_kv`, SwiGLU MLP, optional tied lm_head). Parameter
names follow the HF checkpoint layout, so `state_dict()` keys are the safetensors keys. The same
loader serves Qwen2 checkpoints (q/k/v biases) and SmolLM (plain Llama).

This file is the independent reference for the TypeScript runtime's golden logits: it depends only
on torch and the sibling `safetensors_io.py`.

    from modeling_llama import load_hf_dir
    model = load_hf_dir("public/model")
    logits, _ = model(torch.tensor([[1, 2, 3]]))       # [B, T, vocab]
"""
from dataclasses import asdict, dataclass, field, fields
import json
import os

import torch
from torch import nn
import torch.nn.functional as F

try:
    from . import safetensors_io  # type: ignore[no-redef]
except ImportError:  # imported as a top-level module (tools/reference on sys.path)
    import safetensors_io


class ModelConfigError(ValueError):
    """config.json is missing a field or describes an architecture this reference does not implement."""


REQUIRED_FIELDS = ("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads")


@dataclass
class LlamaConfig:
    vocab_size: int
    hidden_size: int
    intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int
    max_position_embeddings: int = 2048
    rms_norm_eps: float = 1e-6
    rope_theta: float = 10000.0
    tie_word_embeddings: bool = True
    attention_bias: bool = False
    mlp_bias: bool = False
    hidden_act: str = "silu"
    head_dim: int | None = None
    initializer_range: float = 0.02
    model_type: str = "llama"
    architectures: list = field(default_factory=lambda: ["LlamaForCausalLM"])
    bos_token_id: int | None = None
    eos_token_id: int | list | None = None
    pad_token_id: int | None = None
    torch_dtype: str = "float32"

    def __post_init__(self):
        if self.head_dim is None:
            self.head_dim = self.hidden_size // self.num_attention_heads
        if self.num_attention_heads % self.num_key_value_heads:
            raise ModelConfigError("num_attention_heads must be a multiple of num_key_value_heads")
        if self.hidden_act != "silu":
            raise ModelConfigError(f"hidden_act {self.hidden_act!r} is not supported (only silu)")
        if self.model_type == "qwen2":
            self.attention_bias = True  # Qwen2 always has q/k/v biases and no config flag for them

    @classmethod
    def from_dict(cls, raw: dict) -> "LlamaConfig":
        known = {f.name for f in fields(cls)}
        missing = [name for name in REQUIRED_FIELDS if name not in raw]
        if missing:
            raise ModelConfigError(f"config.json lacks {missing}")
        if raw.get("rope_scaling"):
            raise ModelConfigError("rope_scaling is not implemented in this reference")
        values = {k: v for k, v in raw.items() if k in known}
        values.setdefault("num_key_value_heads", raw["num_attention_heads"])
        return cls(**values)

    def to_dict(self) -> dict:
        return asdict(self)


class LlamaRMSNorm(nn.Module):
    def __init__(self, size: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.variance_epsilon = eps

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        input_dtype = hidden.dtype
        hidden = hidden.to(torch.float32)  # HF normalises in float32 whatever the weight dtype
        variance = hidden.pow(2).mean(-1, keepdim=True)
        hidden = hidden * torch.rsqrt(variance + self.variance_epsilon)
        return self.weight * hidden.to(input_dtype)


def rotary_cos_sin(position_ids: torch.Tensor, head_dim: int, theta: float, dtype: torch.dtype):
    """cos/sin tables [B, T, head_dim] for the given positions (HF default rope, no scaling)."""
    steps = torch.arange(0, head_dim, 2, dtype=torch.int64, device=position_ids.device).float()
    inv_freq = 1.0 / (theta ** (steps / head_dim))
    freqs = position_ids[..., None].float() * inv_freq          # [B, T, hd/2]
    emb = torch.cat((freqs, freqs), dim=-1)                     # [B, T, hd]
    return emb.cos().to(dtype), emb.sin().to(dtype)


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def apply_rotary(q, k, cos, sin):
    cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)               # [B, 1, T, hd] broadcast over heads
    return q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin


def repeat_kv(hidden: torch.Tensor, n_rep: int) -> torch.Tensor:
    """[B, n_kv, T, hd] -> [B, n_kv * n_rep, T, hd]; each kv head serves n_rep query heads."""
    if n_rep == 1:
        return hidden
    b, n_kv, t, hd = hidden.shape
    return hidden[:, :, None, :, :].expand(b, n_kv, n_rep, t, hd).reshape(b, n_kv * n_rep, t, hd)


class LlamaAttention(nn.Module):
    def __init__(self, config: LlamaConfig):
        super().__init__()
        self.config = config
        self.head_dim = config.head_dim
        self.n_heads, self.n_kv = config.num_attention_heads, config.num_key_value_heads
        bias = config.attention_bias
        self.q_proj = nn.Linear(config.hidden_size, self.n_heads * self.head_dim, bias=bias)
        self.k_proj = nn.Linear(config.hidden_size, self.n_kv * self.head_dim, bias=bias)
        self.v_proj = nn.Linear(config.hidden_size, self.n_kv * self.head_dim, bias=bias)
        # Qwen2 has biases on q/k/v only; Llama's attention_bias covers o_proj too.
        self.o_proj = nn.Linear(self.n_heads * self.head_dim, config.hidden_size,
                                bias=bias and config.model_type != "qwen2")

    def forward(self, hidden, cos, sin, mask, past=None):
        b, t, _ = hidden.shape
        q = self.q_proj(hidden).view(b, t, self.n_heads, self.head_dim).transpose(1, 2)  # [B, nh, T, hd]
        k = self.k_proj(hidden).view(b, t, self.n_kv, self.head_dim).transpose(1, 2)     # [B, nkv, T, hd]
        v = self.v_proj(hidden).view(b, t, self.n_kv, self.head_dim).transpose(1, 2)
        q, k = apply_rotary(q, k, cos, sin)
        if past is not None:
            k, v = torch.cat((past[0], k), dim=2), torch.cat((past[1], v), dim=2)
        present = (k, v)
        n_rep = self.n_heads // self.n_kv
        scores = (q @ repeat_kv(k, n_rep).transpose(2, 3)) * self.head_dim ** -0.5  # [B, nh, T, S], as HF scales
        scores = scores + mask
        probs = F.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
        out = (probs @ repeat_kv(v, n_rep)).transpose(1, 2).reshape(b, t, -1)          # [B, T, nh*hd]
        return self.o_proj(out), present


class LlamaMLP(nn.Module):
    def __init__(self, config: LlamaConfig):
        super().__init__()
        h, i, bias = config.hidden_size, config.intermediate_size, config.mlp_bias
        self.gate_proj = nn.Linear(h, i, bias=bias)
        self.up_proj = nn.Linear(h, i, bias=bias)
        self.down_proj = nn.Linear(i, h, bias=bias)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))  # SwiGLU


class LlamaDecoderLayer(nn.Module):
    def __init__(self, config: LlamaConfig):
        super().__init__()
        self.self_attn = LlamaAttention(config)
        self.mlp = LlamaMLP(config)
        self.input_layernorm = LlamaRMSNorm(config.hidden_size, config.rms_norm_eps)
        self.post_attention_layernorm = LlamaRMSNorm(config.hidden_size, config.rms_norm_eps)

    def forward(self, hidden, cos, sin, mask, past=None):
        attn, present = self.self_attn(self.input_layernorm(hidden), cos, sin, mask, past)
        hidden = hidden + attn
        hidden = hidden + self.mlp(self.post_attention_layernorm(hidden))
        return hidden, present


class LlamaModel(nn.Module):
    def __init__(self, config: LlamaConfig):
        super().__init__()
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.layers = nn.ModuleList(LlamaDecoderLayer(config) for _ in range(config.num_hidden_layers))
        self.norm = LlamaRMSNorm(config.hidden_size, config.rms_norm_eps)


def causal_mask(query_len: int, past_len: int, dtype: torch.dtype, device=None) -> torch.Tensor:
    """[1, 1, T, past+T] additive mask: query i (at position past+i) sees keys 0..past+i."""
    full = torch.full((query_len, past_len + query_len), torch.finfo(dtype).min, dtype=dtype, device=device)
    return torch.triu(full, diagonal=past_len + 1)[None, None]


class LlamaForCausalLM(nn.Module):
    def __init__(self, config: LlamaConfig):
        super().__init__()
        self.config = config
        self.model = LlamaModel(config)
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        self.init_weights()
        if config.tie_word_embeddings:
            self.lm_head.weight = self.model.embed_tokens.weight

    def init_weights(self) -> None:
        """HF's default: normal(0, initializer_range) for linear and embedding weights, zero biases."""
        for module in self.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, mean=0.0, std=self.config.initializer_range)
                if getattr(module, "bias", None) is not None:
                    nn.init.zeros_(module.bias)

    def forward(self, input_ids: torch.Tensor, past_key_values=None, position_ids=None):
        """Logits [B, T, vocab] and the new per-layer (key, value) cache, keys after RoPE."""
        b, t = input_ids.shape
        past_len = 0 if past_key_values is None else past_key_values[0][0].shape[2]
        if position_ids is None:
            position_ids = torch.arange(past_len, past_len + t, device=input_ids.device).unsqueeze(0).expand(b, t)
        hidden = self.model.embed_tokens(input_ids)                       # [B, T, h]
        cos, sin = rotary_cos_sin(position_ids, self.config.head_dim, self.config.rope_theta, hidden.dtype)
        mask = causal_mask(t, past_len, hidden.dtype, hidden.device)
        presents = []
        for index, layer in enumerate(self.model.layers):
            past = None if past_key_values is None else past_key_values[index]
            hidden, present = layer(hidden, cos, sin, mask, past)
            presents.append(present)
        return self.lm_head(self.model.norm(hidden)), presents

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())  # parameters() yields a tied weight once


@torch.no_grad()
def greedy_generate(model: LlamaForCausalLM, prompt_ids: list[int], max_new_tokens: int,
                    stop_ids: set[int], context_length: int | None = None) -> list[int]:
    """Greedy decoding with the KV cache; returns only the new tokens (without the stop token)."""
    limit = context_length or model.config.max_position_embeddings
    ids = prompt_ids[-(limit - 1):]
    logits, cache = model(torch.tensor([ids]))
    generated: list[int] = []
    for _ in range(max_new_tokens):
        next_id = int(logits[0, -1].argmax())
        if next_id in stop_ids or len(ids) + len(generated) >= limit:
            break
        generated.append(next_id)
        logits, cache = model(torch.tensor([[next_id]]), past_key_values=cache)
    return generated


def load_hf_dir(path: str, dtype: torch.dtype = torch.float32) -> LlamaForCausalLM:
    """Load config.json + model.safetensors from a Hugging Face model directory."""
    with open(os.path.join(path, "config.json"), encoding="utf-8") as handle:
        config = LlamaConfig.from_dict(json.load(handle))
    tensors, _ = safetensors_io.load_file(os.path.join(path, "model.safetensors"))
    model = LlamaForCausalLM(config)
    expected = {name for name in model.state_dict() if not (config.tie_word_embeddings and name == "lm_head.weight")}
    missing, unexpected = expected - set(tensors), set(tensors) - expected - {"lm_head.weight"}
    if missing or unexpected:
        raise ModelConfigError(f"weights do not match config.json: missing {sorted(missing)[:5]}, "
                               f"unexpected {sorted(unexpected)[:5]}")
    with torch.no_grad():
        for name, parameter in model.state_dict().items():
            if name in tensors:
                parameter.copy_(tensors[name].to(parameter.dtype))
    return model.to(dtype).eval()


def save_hf_dir(model: LlamaForCausalLM, path: str, dtype: torch.dtype = torch.float16) -> None:
    """Write config.json + model.safetensors (tied lm_head omitted, as transformers does)."""
    os.makedirs(path, exist_ok=True)
    config = model.config.to_dict()
    config["torch_dtype"] = {torch.float16: "float16", torch.bfloat16: "bfloat16", torch.float32: "float32"}[dtype]
    tensors = {name: tensor.to(dtype) for name, tensor in model.state_dict().items()
               if not (model.config.tie_word_embeddings and name == "lm_head.weight")}
    safetensors_io.save_file(tensors, os.path.join(path, "model.safetensors"), metadata={"format": "pt"})
    with open(os.path.join(path, "config.json"), "w", encoding="utf-8") as handle:
        json.dump(config, handle, indent=2)
