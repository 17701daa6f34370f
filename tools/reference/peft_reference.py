"""Hugging Face PEFT's LoRA, IA3, LN-tuning, prompt-tuning and prefix-tuning forward semantics (and Attune's bottleneck adapters) on the plain PyTorch reference models.

PEFT itself is not installable here, so this re-implements what PEFT does at inference, from its
published definitions (peft/tuners/lora/layer.py, peft/peft_model.py, peft/tuners/prompt_tuning, peft/tuners/prefix_tuning):

* LoRA: every module whose name matches `target_modules` (a list: exact name or `.`-suffix; a
  string: full-match regular expression) is wrapped: result = base(x) + lora_B(lora_A(dropout(x))) *
  scaling, scaling = lora_alpha / r (use_rslora: lora_alpha / sqrt(r)); lora_A.weight [r, in],
  lora_B.weight [out, r]. Merging adds transpose(B @ A, fan_in_fan_out) * scaling to the weight
  (GPT-2 Conv1D weights are [in, out], so fan_in_fan_out is true there).
* DoRA (use_dora, peft/tuners/lora/dora.py DoraLinearLayer and variants.py DoraLinearVariant):
  `lora_magnitude_vector` m [out] per module (saved without PEFT's inner `.weight`); at inference
  result = base(x) + (m / norm - 1) * (base(x) - bias) + (m / norm) * lora_B(lora_A(x)) * scaling
  with norm = ||transpose(W, fan_in_fan_out) + scaling * B @ A|| over dim 1 (per output feature).
  Merging sets W = transpose(m / norm, fan_in_fan_out) * (W + delta_weight), the bias untouched.
* IA3: every targeted module scales by its learned `ia3_l`: feed-forward modules (`feedforward_modules`)
  their input, the others their output including the bias (peft/tuners/ia3/layer.py); merging
  multiplies the weight by ia3_l (transposed for fan_in_fan_out) and, off the feed-forward path, the bias.
* LN tuning (LN_TUNING, peft/tuners/ln_tuning): every module whose name matches `target_modules`
  is replaced by a deep copy of itself (LNTuningLayer.ln_tuning_layers) whose parameters are
  loaded from `base_model.model.<module>.ln_tuning_layers.<param>` (the adapter name removed, as
  PEFT saves); without target_modules, PEFT's per-model-type default
  (TRANSFORMERS_MODELS_TO_LNTUNING_TARGET_MODULES_MAPPING). Merging swaps the copy in for the base
  layer, so merged and unmerged are the same computation.
* Prompt tuning: prompt_embeddings [n, D] are concatenated before the input embeddings; the base
  model then runs on inputs_embeds at positions 0..n+T-1, and the logits cover all n+T rows.
* Prefix tuning / P-tuning v2 (PREFIX_TUNING, peft/peft_model.py get_prompt): prompt_embeddings
  [P, num_layers*2*token_dim] become every layer's past_key_values (see prefix_key_values); the
  input tokens sit at positions P..P+T-1 and the logits cover the T input rows.
* P-tuning (P_TUNING): saved `prompt_embeddings` [n, D] are the prompt encoder's output and enter
  like prompt tuning's; `--prompt-encoder DIR` instead runs PEFT's PromptEncoder (MLP or LSTM) on
  given encoder weights, for checking the encoder itself.
* Attune's bottleneck adapters (ATTUNE_BOTTLENECK_ADAPTER, not a PEFT type; docs/tuning.md): every
  module matching `target_modules` computes y = base(x) and returns y + adapter_up(act(adapter_down(y)))
  with torch.nn.Linear layers (weights [out, in], biases), act = `non_linearity`.

It reads an adapter directory exactly as PEFT saves it (adapter_config.json +
adapter_model.safetensors, keys `base_model.model.<module>.lora_A.weight` / `prompt_embeddings`),
never the TypeScript code, and prints JSON logits for the Attune parity test:

    /usr/bin/python3 tools/reference/peft_reference.py --model DIR [--adapter DIR] [--merge] --ids '[[1, 2, 3]]'
    -> {"shape": [B, P + T, V], "virtual_tokens": P, "logits": [...]}
    /usr/bin/python3 tools/reference/peft_reference.py --prompt-encoder DIR -> {"shape": [n, D], "values": [...]}
"""
import argparse
import copy
import json
import math
import os
import re
import sys

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import modeling_llama  # noqa: E402
from modeling_gpt2 import Conv1D, GPT2LMHeadModel  # noqa: E402
from safetensors_io import load_file  # noqa: E402

UNSUPPORTED = ("modules_to_save", "layers_to_transform", "rank_pattern", "alpha_pattern", "layer_replication")


class AdapterError(ValueError):
    """The adapter directory cannot be applied to this model."""


# ---- base models ---------------------------------------------------------------------------

def load_base(model_dir: str) -> nn.Module:
    with open(os.path.join(model_dir, "config.json"), encoding="utf-8") as handle:
        cfg = json.load(handle)
    if cfg.get("model_type") != "gpt2":
        return modeling_llama.load_hf_dir(model_dir)
    model = GPT2LMHeadModel(cfg)
    tensors, _ = load_file(os.path.join(model_dir, "model.safetensors"))
    state = {name: tensor.float() for name, tensor in tensors.items()}
    missing = set(model.state_dict_hf()) - set(state)
    if missing:
        raise AdapterError(f"GPT-2 weights missing: {sorted(missing)[:5]}")
    model.load_state_dict({**model.state_dict(), **state})
    return model.eval()


def word_embeddings(model: nn.Module) -> nn.Embedding:
    return model.transformer.wte if isinstance(model, GPT2LMHeadModel) else model.model.embed_tokens


def forward_embeds(model: nn.Module, embeds: torch.Tensor) -> torch.Tensor:
    """The base model on inputs_embeds [B, L, D] at positions 0..L-1 (as HF models do) -> logits [B, L, V]."""
    b, length, _ = embeds.shape
    if isinstance(model, GPT2LMHeadModel):
        x = embeds + model.transformer.wpe(torch.arange(length))[None]
        for block in model.transformer.h:
            x, _ = block(x)
        return model.lm_head(model.transformer.ln_f(x))
    positions = torch.arange(length)[None].expand(b, length)
    cos, sin = modeling_llama.rotary_cos_sin(positions, model.config.head_dim, model.config.rope_theta, embeds.dtype)
    mask = modeling_llama.causal_mask(length, 0, embeds.dtype)
    hidden = embeds
    for layer in model.model.layers:
        hidden, _ = layer(hidden, cos, sin, mask, None)
    return model.lm_head(model.model.norm(hidden))


# ---- LoRA ----------------------------------------------------------------------------------

class LoraLinear(nn.Module):
    """peft.tuners.lora.Linear at inference: base(x) + lora_B(lora_A(x)) * scaling (dropout is identity)."""

    def __init__(self, base: nn.Module, r: int, alpha: float, use_rslora: bool, use_dora: bool = False,
                 fan_in_fan_out: bool = False):
        super().__init__()
        self.base_layer = base
        in_features, out_features = linear_shape(base)
        self.lora_A = nn.Linear(in_features, r, bias=False)
        self.lora_B = nn.Linear(r, out_features, bias=False)
        self.scaling = alpha / math.sqrt(r) if use_rslora else alpha / r
        self.fan_in_fan_out = fan_in_fan_out
        self.lora_magnitude_vector = nn.Parameter(torch.ones(out_features)) if use_dora else None

    def forward(self, x):
        result = self.base_layer(x)
        lora_result = self.lora_B(self.lora_A(x))
        if self.lora_magnitude_vector is None:
            return result + lora_result * self.scaling
        # DoraLinearVariant.forward with dropout as identity: base_result = result - bias.
        mag_norm_scale = (self.lora_magnitude_vector / self.weight_norm(self.delta_weight_out_in())).view(1, -1)
        base_result = result - self.base_layer.bias if self.base_layer.bias is not None else result
        return result + (mag_norm_scale - 1) * base_result + mag_norm_scale * lora_result * self.scaling

    def delta_weight_out_in(self) -> torch.Tensor:
        """scaling * B @ A, [out, in] (DoraLinearLayer.get_weight_norm adds it to transpose(W, fan_in_fan_out))."""
        return self.scaling * (self.lora_B.weight @ self.lora_A.weight)

    def weight_norm(self, delta_out_in: torch.Tensor) -> torch.Tensor:
        """DoraLinearLayer.get_weight_norm: ||transpose(W, fan_in_fan_out) + delta|| over dim 1, [out]."""
        weight = self.base_layer.weight
        weight = weight.T if self.fan_in_fan_out else weight
        return torch.linalg.norm(weight + delta_out_in, dim=1)

    def merge(self) -> None:
        """LoRA: W += delta_weight. DoRA (DoraLinearVariant.merge_safe): W = dora_factor * (W + delta_weight)."""
        delta = self.delta_weight(self.fan_in_fan_out)
        if self.lora_magnitude_vector is None:
            self.base_layer.weight += delta
            return
        norm = self.weight_norm(delta.T if self.fan_in_fan_out else delta)
        factor = (self.lora_magnitude_vector / norm).view(-1, 1)
        factor = factor.T if self.fan_in_fan_out else factor
        self.base_layer.weight.data = factor * (self.base_layer.weight.data + delta)

    def delta_weight(self, fan_in_fan_out: bool) -> torch.Tensor:
        delta = self.lora_B.weight @ self.lora_A.weight  # [out, in]
        return (delta.T if fan_in_fan_out else delta) * self.scaling


def linear_shape(module: nn.Module) -> tuple[int, int]:
    if isinstance(module, Conv1D):
        return module.weight.shape[0], module.weight.shape[1]  # stored [in, out]
    return module.in_features, module.out_features


def target_matches(name: str, targets) -> bool:
    """peft.tuners.tuners_utils.check_target_module_exists."""
    if isinstance(targets, str):
        return re.fullmatch(targets, name) is not None
    return any(name == target or name.endswith(f".{target}") for target in targets)


def wrap_targets(model: nn.Module, targets, tensors: dict, wrap, merge: bool) -> None:
    """PEFT's inject_adapter: wraps every nn.Linear / Conv1D whose name matches `targets` with
    `wrap(name, base) -> (layer, {saved key: parameter})`, loads each parameter from `tensors`
    (refusing a missing key, a wrong shape, or a tensor no module uses), and with `merge` folds the
    layer into its base weight (merge_and_unload)."""
    names = [name for name, module in model.named_modules()
             if isinstance(module, (nn.Linear, Conv1D)) and target_matches(name, targets)]
    if not names:
        raise AdapterError(f"no module matches target_modules {targets}")
    used = set()
    for name in names:
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        layer, params = wrap(name, getattr(parent, child))
        with torch.no_grad():
            for key, target in params.items():
                if key not in tensors:
                    raise AdapterError(f"missing {key}")
                if tuple(tensors[key].shape) != tuple(target.shape):
                    raise AdapterError(f"{key} has shape {list(tensors[key].shape)}, expected {list(target.shape)}")
                target.copy_(tensors[key].float())
                used.add(key)
            if merge:
                layer.merge()
        setattr(parent, child, layer.base_layer if merge else layer)
    extra = set(tensors) - used
    if extra:
        raise AdapterError(f"unexpected tensors {sorted(extra)[:3]}")


def apply_lora(model: nn.Module, config: dict, tensors: dict, merge: bool) -> None:
    for field in UNSUPPORTED:
        if config.get(field) not in (None, False, {}, []):
            raise AdapterError(f"{field} is not supported")
    if config.get("bias", "none") != "none":
        raise AdapterError("bias must be 'none'")
    r, alpha = int(config["r"]), float(config["lora_alpha"])

    def wrap(name, base):
        layer = LoraLinear(base, r, alpha, bool(config.get("use_rslora", False)),
                           bool(config.get("use_dora", False)), bool(config.get("fan_in_fan_out", False)))
        params = {f"base_model.model.{name}.lora_{factor}.weight": getattr(layer, f"lora_{factor}").weight
                  for factor in ("A", "B")}
        if layer.lora_magnitude_vector is not None:
            params[f"base_model.model.{name}.lora_magnitude_vector"] = layer.lora_magnitude_vector
        return layer, params

    wrap_targets(model, config["target_modules"], tensors, wrap, merge)


# ---- IA3 -----------------------------------------------------------------------------------

class Ia3Linear(nn.Module):
    """peft.tuners.ia3.Linear at inference: feed-forward layers scale their input (ia3_l [1, in]),
    the others their output (ia3_l [out, 1], bias included): result = base(x) * ia3_l.flatten()."""

    def __init__(self, base: nn.Module, is_feedforward: bool, fan_in_fan_out: bool):
        super().__init__()
        self.base_layer = base
        in_features, out_features = linear_shape(base)
        self.is_feedforward = is_feedforward
        self.fan_in_fan_out = fan_in_fan_out
        self.ia3_l = nn.Parameter(torch.ones((1, in_features) if is_feedforward else (out_features, 1)))

    def forward(self, x):
        scaling = self.ia3_l.flatten()
        if self.is_feedforward:
            return self.base_layer(x * scaling)
        return self.base_layer(x) * scaling

    def merge(self) -> None:
        """peft IA3 Linear.merge: the weight times transpose(ia3_l, fan_in_fan_out); a non-feed-forward bias times ia3_l."""
        ia3_l = self.ia3_l.data.T if self.fan_in_fan_out else self.ia3_l.data
        self.base_layer.weight.data = self.base_layer.weight.data * ia3_l
        if not self.is_feedforward and self.base_layer.bias is not None:
            self.base_layer.bias.data = self.base_layer.bias.data * self.ia3_l.data.reshape(self.base_layer.bias.shape)


def apply_ia3(model: nn.Module, config: dict, tensors: dict, merge: bool) -> None:
    if config.get("modules_to_save") not in (None, []):
        raise AdapterError("modules_to_save is not supported")
    feedforward = config.get("feedforward_modules") or []
    fan_in_fan_out = bool(config.get("fan_in_fan_out", False))

    def wrap(name, base):
        layer = Ia3Linear(base, target_matches(name, feedforward), fan_in_fan_out)
        return layer, {f"base_model.model.{name}.ia3_l": layer.ia3_l}

    wrap_targets(model, config["target_modules"], tensors, wrap, merge)


# ---- LN tuning ------------------------------------------------------------------------------

# peft/utils/constants.py TRANSFORMERS_MODELS_TO_LNTUNING_TARGET_MODULES_MAPPING (the families here).
LN_TUNING_DEFAULT_TARGETS = {
    "gpt2": ["ln_1", "ln_2", "ln_f"],
    "llama": ["input_layernorm", "post_attention_layernorm", "norm"],
    "mistral": ["input_layernorm", "post_attention_layernorm", "norm"],
    "qwen2": ["post_attention_layernorm"],
}


def model_type(model: nn.Module) -> str:
    return "gpt2" if isinstance(model, GPT2LMHeadModel) else model.config.model_type


def apply_ln_tuning(model: nn.Module, config: dict, tensors: dict) -> None:
    """LNTuningModel: each matched module becomes a deep copy holding the saved parameters (merged
    or not: PEFT's merge swaps that copy in for the base layer)."""
    for field in ("modules_to_save", "exclude_modules"):
        if config.get(field) not in (None, []):
            raise AdapterError(f"{field} is not supported")
    targets = config.get("target_modules") or LN_TUNING_DEFAULT_TARGETS[model_type(model)]
    names = [name for name, _ in model.named_modules() if name and target_matches(name, targets)]
    if not names:
        raise AdapterError(f"no module matches target_modules {targets}")
    used = set()
    for name in names:
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        layer = copy.deepcopy(getattr(parent, child))
        with torch.no_grad():
            for param_name, param in layer.named_parameters():
                key = f"base_model.model.{name}.ln_tuning_layers.{param_name}"
                if key not in tensors:
                    raise AdapterError(f"missing {key}")
                if tuple(tensors[key].shape) != tuple(param.shape):
                    raise AdapterError(f"{key} has shape {list(tensors[key].shape)}, expected {list(param.shape)}")
                param.copy_(tensors[key].float())
                used.add(key)
        setattr(parent, child, layer)
    extra = set(tensors) - used
    if extra:
        raise AdapterError(f"unexpected tensors {sorted(extra)[:3]}")
# ---- Attune's bottleneck adapters (no PEFT type; docs/tuning.md) ----------------------------

ACTIVATIONS = {"swish": nn.functional.silu, "relu": nn.functional.relu,
               "gelu": lambda x: nn.functional.gelu(x, approximate="tanh")}


class BottleneckLinear(nn.Module):
    """ATTUNE_BOTTLENECK_ADAPTER on an output projection: y = base(x); y + adapter_up(act(adapter_down(y)))."""

    def __init__(self, base: nn.Module, bottleneck: int, activation: str):
        super().__init__()
        self.base_layer = base
        _, out_features = linear_shape(base)
        self.adapter_down = nn.Linear(out_features, bottleneck)
        self.adapter_up = nn.Linear(bottleneck, out_features)
        self.activation = ACTIVATIONS[activation]

    def forward(self, x):
        y = self.base_layer(x)
        return y + self.adapter_up(self.activation(self.adapter_down(y)))


def apply_bottleneck(model: nn.Module, config: dict, tensors: dict) -> None:
    if config["non_linearity"] not in ACTIVATIONS:
        raise AdapterError(f"non_linearity {config['non_linearity']} is not known")
    hidden = model.transformer.wte.weight.shape[1] if isinstance(model, GPT2LMHeadModel) else model.config.hidden_size
    bottleneck = hidden // int(config["reduction_factor"])
    if bottleneck != config["bottleneck_size"] or hidden != config["hidden_size"]:
        raise AdapterError("bottleneck_size / hidden_size do not fit the model")

    def wrap(name, base):
        layer = BottleneckLinear(base, bottleneck, config["non_linearity"])
        return layer, {f"base_model.model.{name}.adapter_{part}.{kind}": getattr(getattr(layer, f"adapter_{part}"), kind)
                       for part in ("down", "up") for kind in ("weight", "bias")}

    wrap_targets(model, config["target_modules"], tensors, wrap, False)


# ---- P-tuning's prompt encoder ----------------------------------------------------------------

class PromptEncoder(nn.Module):
    """peft.tuners.p_tuning.PromptEncoder (not in inference mode): Embedding(n, token_dim) over 0..n-1,
    then MLP = Linear(D, H) ReLU Linear(H, H) ReLU Linear(H, D), or LSTM = bidirectional
    nn.LSTM(D, H, encoder_num_layers, dropout=encoder_dropout, batch_first) then
    Linear(2H, 2H) ReLU Linear(2H, D)."""

    def __init__(self, config: dict):
        super().__init__()
        d, h, n = config["token_dim"], config["encoder_hidden_size"], config["num_virtual_tokens"]
        self.encoder_type = config["encoder_reparameterization_type"]
        self.embedding = nn.Embedding(n * config.get("num_transformer_submodules", 1), d)
        if self.encoder_type == "LSTM":
            self.lstm_head = nn.LSTM(input_size=d, hidden_size=h, num_layers=config["encoder_num_layers"],
                                     dropout=config["encoder_dropout"], bidirectional=True, batch_first=True)
            self.mlp_head = nn.Sequential(nn.Linear(2 * h, 2 * h), nn.ReLU(), nn.Linear(2 * h, d))
        elif self.encoder_type == "MLP":
            self.mlp_head = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU(), nn.Linear(h, d))
        else:
            raise AdapterError(f"encoder_reparameterization_type {self.encoder_type} is not MLP or LSTM")

    def forward(self, indices):
        embeds = self.embedding(indices)
        if self.encoder_type == "LSTM":
            return self.mlp_head(self.lstm_head(embeds)[0])
        return self.mlp_head(embeds)


def prompt_encoder_output(encoder_dir: str) -> torch.Tensor:
    """What PEFT saves as P_TUNING's prompt_embeddings (get_prompt_embedding_to_save):
    prompt_encoder(arange(n)[None])[0], from encoder weights under PEFT's parameter names
    (`prompt_encoder.<name>`, torch layouts) and the adapter_config.json fields."""
    with open(os.path.join(encoder_dir, "adapter_config.json"), encoding="utf-8") as handle:
        config = json.load(handle)
    tensors, _ = load_file(os.path.join(encoder_dir, "encoder.safetensors"))
    encoder = PromptEncoder(config)
    state = {key.removeprefix("prompt_encoder."): value.float() for key, value in tensors.items()}
    encoder.load_state_dict(state, strict=True)  # refuses a missing, extra or misshapen tensor
    encoder.eval()
    return encoder(torch.arange(config["num_virtual_tokens"])[None])[0]


# ---- prefix tuning / P-tuning v2 ------------------------------------------------------------

def prefix_key_values(model: nn.Module, config: dict, tensors: dict, batch: int) -> list:
    """PeftModel.get_prompt for PREFIX_TUNING in inference mode: the saved prompt_embeddings
    [P, num_layers*2*token_dim] (the computed prefix, also when prefix_projection was on) viewed as
    [B, P, num_layers*2, heads, token_dim/heads], permuted to [num_layers*2, B, heads, P, hd] and
    split in pairs: layer l's (key, value) = rows (2l, 2l+1)."""
    if config.get("num_transformer_submodules", 1) != 1:
        raise AdapterError("a causal language model has one transformer submodule")
    if isinstance(model, GPT2LMHeadModel):
        layers, heads = len(model.transformer.h), model.transformer.h[0].attn.n_head
        token_dim = model.transformer.wte.weight.shape[1]
    else:
        # _prepare_prompt_learning_config: models with num_key_value_heads get
        # token_dim = num_key_value_heads * head_dim and num_attention_heads = num_key_value_heads.
        layers, heads = model.config.num_hidden_layers, model.config.num_key_value_heads
        token_dim = heads * model.config.head_dim
    if (config["num_layers"], config["num_attention_heads"], config["token_dim"]) != (layers, heads, token_dim):
        raise AdapterError(f"prefix geometry {config['num_layers'], config['num_attention_heads'], config['token_dim']} "
                           f"does not fit the model's {layers, heads, token_dim}")
    prompt = tensors["prompt_embeddings"].float()
    p = config["num_virtual_tokens"]
    if prompt.shape != (p, layers * 2 * token_dim):
        raise AdapterError(f"prompt_embeddings shape {list(prompt.shape)} does not fit the config or model")
    pkv = prompt.repeat(batch, 1, 1).view(batch, p, layers * 2, heads, token_dim // heads)
    pairs = pkv.permute([2, 0, 3, 1, 4]).split(2)
    return [(pair[0], pair[1]) for pair in pairs]


def forward_with_prefix(model: nn.Module, input_ids: torch.Tensor, past: list) -> torch.Tensor:
    """The base model with past_key_values = the prefix (no attention mask: all ones): real tokens
    at positions P..P+T-1 (HF's cache_position), every token sees the whole prefix, the prefix keys
    are used as given (no rotary embedding). Logits cover the T input rows only."""
    if isinstance(model, GPT2LMHeadModel):
        logits, _ = model(input_ids, past=past)
    else:
        logits, _ = model(input_ids, past_key_values=past)
    return logits


# ---- main ----------------------------------------------------------------------------------

def logits_for(model_dir: str, adapter_dir: str | None, ids: list[list[int]], merge: bool) -> tuple[torch.Tensor, int]:
    model = load_base(model_dir)
    input_ids = torch.tensor(ids, dtype=torch.long)
    embeds = word_embeddings(model)(input_ids)
    if adapter_dir is None:
        return forward_embeds(model, embeds), 0
    with open(os.path.join(adapter_dir, "adapter_config.json"), encoding="utf-8") as handle:
        config = json.load(handle)
    tensors, _ = load_file(os.path.join(adapter_dir, "adapter_model.safetensors"))
    if config.get("task_type", "CAUSAL_LM") != "CAUSAL_LM":
        raise AdapterError("only CAUSAL_LM adapters are supported")
    if config["peft_type"] == "LORA":
        apply_lora(model, config, tensors, merge)
        return forward_embeds(model, embeds), 0
    if config["peft_type"] == "IA3":
        apply_ia3(model, config, tensors, merge)
        return forward_embeds(model, embeds), 0
    if config["peft_type"] == "LN_TUNING":
        apply_ln_tuning(model, config, tensors)
        return forward_embeds(model, embeds), 0
    if config["peft_type"] == "ATTUNE_BOTTLENECK_ADAPTER":
        if merge:
            raise AdapterError("bottleneck adapters cannot be merged")
        apply_bottleneck(model, config, tensors)
        return forward_embeds(model, embeds), 0
    if config["peft_type"] in ("PROMPT_TUNING", "P_TUNING"):
        # PeftModel.forward treats both alike; P_TUNING in inference mode (as PEFT loads a saved
        # folder) uses the saved encoder output directly (get_prompt: prompt_encoder.embedding.weight).
        prompt = tensors["prompt_embeddings"].float()  # [n, D]
        if prompt.shape != (config["num_virtual_tokens"], config["token_dim"]) or prompt.shape[1] != embeds.shape[2]:
            raise AdapterError(f"prompt_embeddings shape {list(prompt.shape)} does not fit the config or model")
        prompts = prompt[None].expand(embeds.shape[0], -1, -1)
        return forward_embeds(model, torch.cat([prompts, embeds], dim=1)), prompt.shape[0]
    if config["peft_type"] == "PREFIX_TUNING":
        return forward_with_prefix(model, input_ids, prefix_key_values(model, config, tensors, len(ids))), 0
    raise AdapterError(f"peft_type {config['peft_type']} is not implemented here")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model")
    parser.add_argument("--adapter")
    parser.add_argument("--merge", action="store_true", help="merge LoRA or IA3 into the weights (PEFT merge_and_unload)")
    parser.add_argument("--ids", help="JSON [[id, ...], ...]")
    parser.add_argument("--prompt-encoder", help="a folder of adapter_config.json + encoder.safetensors: print P-tuning's encoder output")
    args = parser.parse_args()
    torch.manual_seed(0)
    with torch.no_grad():
        if args.prompt_encoder:
            output = prompt_encoder_output(args.prompt_encoder)
            json.dump({"shape": list(output.shape), "values": output.reshape(-1).tolist()}, sys.stdout)
            return
        if args.model is None or args.ids is None:
            parser.error("--model and --ids are required")
        logits, virtual = logits_for(args.model, args.adapter, json.loads(args.ids), args.merge)
    json.dump({"shape": list(logits.shape), "virtual_tokens": virtual, "logits": logits.reshape(-1).tolist()}, sys.stdout)


if __name__ == "__main__":
    main()
