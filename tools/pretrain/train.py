"""Stage 4: pretrain the default model (resumable), and export it to public/model/.

    nice -n 5 /usr/bin/python3 tools/pretrain/train.py --device cpu --threads 1

Rerunning the same command resumes from <ckpt-dir>/latest.pt (model, optimizer, step, data position,
RNG); training ends by itself when the --total-tokens schedule is complete. With no checkpoint it warm-starts from the weights in public/model/ if they match the config
(optimizer state starts fresh; step and data position come from public/model/training_state.json),
else it starts from scratch. Checkpoints every --checkpoint-minutes, exports every --export-minutes,
and both on SIGTERM/SIGINT. `--export` only writes public/model/ from the checkpoint and exits.
"""
import argparse
import json
import math
import os
import signal
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
from modeling_llama import LlamaConfig, LlamaForCausalLM, load_hf_dir, save_hf_dir  # noqa: E402
from paths import CHECKPOINT_DIR, DATA_DIR, MODEL_DIR  # noqa: E402
from chat_template import END_OF_TEXT, END_OF_TURN  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", default=DATA_DIR)
    p.add_argument("--ckpt-dir", default=CHECKPOINT_DIR)
    p.add_argument("--model-dir", default=MODEL_DIR, help="export target and warm-start source")
    p.add_argument("--model-config", default=os.path.join(HERE, "model_config.json"))
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--context", type=int, default=256)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--min-lr-ratio", type=float, default=0.1)
    p.add_argument("--warmup-steps", type=int, default=200)
    p.add_argument("--total-tokens", type=float, default=48e6, help="length of the cosine schedule")
    p.add_argument("--weight-decay", type=float, default=0.1)
    p.add_argument("--grad-clip", type=float, default=1.0)
    p.add_argument("--checkpoint-minutes", type=float, default=5)
    p.add_argument("--export-minutes", type=float, default=30)
    p.add_argument("--log-every", type=int, default=10)
    p.add_argument("--max-steps", type=int, default=None,
                   help="stop after this global step (default: the end of the --total-tokens schedule)")
    p.add_argument("--export", action="store_true", help="export the checkpoint to --model-dir and exit")
    return p.parse_args(argv)


def learning_rate(step: int, args, total_steps: int) -> float:
    """Linear warmup, then cosine decay to min_lr_ratio * lr at total_steps (flat after)."""
    if step < args.warmup_steps:
        return args.lr * (step + 1) / args.warmup_steps
    progress = min(1.0, (step - args.warmup_steps) / max(1, total_steps - args.warmup_steps))
    floor = args.lr * args.min_lr_ratio
    return floor + 0.5 * (args.lr - floor) * (1 + math.cos(math.pi * progress))


class PackedBatches:
    """Non-overlapping windows of context+1 tokens, visited in a seeded permutation per epoch."""

    def __init__(self, data_dir: str, context: int, batch_size: int, seed: int):
        self.tokens = np.load(os.path.join(data_dir, "tokens.npy"), mmap_mode="r")
        self.mask = np.load(os.path.join(data_dir, "loss_mask.npy"), mmap_mode="r")
        self.context, self.batch_size, self.seed = context, batch_size, seed
        self.windows = (len(self.tokens) - 1) // context
        self.epoch, self.cursor = 0, 0
        self._order = self._permutation(0)

    def _permutation(self, epoch: int) -> np.ndarray:
        return np.random.default_rng(self.seed + epoch).permutation(self.windows)

    def seek(self, epoch: int, cursor: int) -> None:
        self.epoch, self.cursor, self._order = epoch, cursor, self._permutation(epoch)

    def next(self):
        """(inputs [B, T], targets [B, T], target mask [B, T])."""
        rows = []
        for _ in range(self.batch_size):
            if self.cursor >= self.windows:
                self.seek(self.epoch + 1, 0)
            start = int(self._order[self.cursor]) * self.context
            rows.append(start)
            self.cursor += 1
        span = [np.asarray(self.tokens[s:s + self.context + 1], dtype=np.int64) for s in rows]
        masks = [np.asarray(self.mask[s + 1:s + self.context + 1], dtype=np.float32) for s in rows]
        block = torch.from_numpy(np.stack(span))
        return block[:, :-1], block[:, 1:], torch.from_numpy(np.stack(masks))


def build_config(args, vocab_size: int) -> LlamaConfig:
    with open(args.model_config) as handle:
        raw = json.load(handle)
    raw.update(vocab_size=vocab_size, max_position_embeddings=args.context)
    return LlamaConfig.from_dict(raw)


def make_optimizer(model, args):
    """AdamW; no weight decay on norms (1-D) so RMSNorm gains are not pulled towards zero."""
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, 0.95), eps=1e-8)


def masked_loss(logits, targets, mask):
    losses = F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), targets.reshape(-1), reduction="none")
    mask = mask.reshape(-1)
    return (losses * mask).sum() / mask.sum().clamp(min=1)


def device_name(args) -> str:
    """What the card reports as the training hardware."""
    if args.device == "cuda":
        return f"cuda ({torch.cuda.get_device_name()})"
    return f"cpu ({args.threads} thread{'s' if args.threads != 1 else ''})"


def save_checkpoint(path: str, model, optimizer, step: int, tokens_seen: int, batches: PackedBatches,
                    train_seconds: float) -> None:
    state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step,
             "tokens_seen": tokens_seen, "train_seconds": train_seconds, "epoch": batches.epoch, "cursor": batches.cursor,
             "torch_rng": torch.get_rng_state(), "config": model.config.to_dict(), "saved_at": time.time()}
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = path + ".tmp"
    torch.save(state, temporary)
    os.replace(temporary, path)  # atomic: a crash mid-write never leaves a broken latest.pt


def export_model(model, args, step: int, tokens_seen: int, batches: PackedBatches, loss: float | None,
                 train_seconds: float, total_steps: int) -> None:
    """public/model/: fp16 weights, config, generation config, and where training stands."""
    save_hf_dir(model, args.model_dir, dtype=torch.float16)
    with open(os.path.join(args.model_dir, "generation_config.json"), "w") as handle:
        json.dump({"eos_token_id": [model.config.eos_token_id, 0], "pad_token_id": 0, "do_sample": False,
                   "max_new_tokens": 128}, handle, indent=2)
    with open(os.path.join(args.model_dir, "training_state.json"), "w") as handle:
        json.dump({"step": step, "tokens_seen": tokens_seen, "epoch": batches.epoch, "cursor": batches.cursor,
                   "recent_train_loss": loss, "seed": args.seed, "batch_size": args.batch_size,
                   "context": args.context, "total_tokens_schedule": args.total_tokens,
                   "schedule_complete": step >= total_steps, "train_seconds": round(train_seconds),
                   "device": device_name(args), "torch_version": torch.__version__}, handle, indent=2)


def restore(args, model, optimizer, batches: PackedBatches) -> tuple[int, int, float, str]:
    """(step, tokens_seen, train_seconds, how) from the checkpoint, else from public/model/, else zeros."""
    latest = os.path.join(args.ckpt_dir, "latest.pt")
    if os.path.exists(latest):
        state = torch.load(latest, map_location="cpu")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        torch.set_rng_state(state["torch_rng"])
        batches.seek(state["epoch"], state["cursor"])
        return state["step"], state["tokens_seen"], state.get("train_seconds", 0.0), f"resumed from {latest}"
    weights = os.path.join(args.model_dir, "model.safetensors")
    progress = os.path.join(args.model_dir, "training_state.json")
    if os.path.exists(weights) and os.path.exists(progress):
        exported = load_hf_dir(args.model_dir)
        if exported.config.to_dict() | {"torch_dtype": None} == model.config.to_dict() | {"torch_dtype": None}:
            model.load_state_dict(exported.state_dict())
            with open(progress) as handle:
                info = json.load(handle)
            batches.seek(info["epoch"], info["cursor"])
            return (info["step"], info["tokens_seen"], info.get("train_seconds", 0.0),
                    f"warm-started from {args.model_dir} (fresh optimizer)")
    return 0, 0, 0.0, "started from scratch"


def main(argv=None) -> None:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    with open(os.path.join(args.data_dir, "stats.json")) as handle:
        vocab_size = json.load(handle)["vocab_size"]
    model = LlamaForCausalLM(build_config(args, vocab_size))
    optimizer = make_optimizer(model, args)
    batches = PackedBatches(args.data_dir, args.context, args.batch_size, args.seed)
    step, tokens_seen, train_seconds, how = restore(args, model, optimizer, batches)
    model.to(args.device)
    # The optimizer state follows the parameters' device once they have moved.
    for state in optimizer.state.values():
        for key, value in state.items():
            if torch.is_tensor(value):
                state[key] = value.to(args.device)
    tokens_per_step = args.batch_size * args.context
    total_steps = int(args.total_tokens // tokens_per_step)
    print(f"{how}: step {step}, {tokens_seen} tokens seen; {model.num_parameters()} parameters; "
          f"{batches.windows} windows per epoch; schedule {total_steps} steps", flush=True)
    latest = os.path.join(args.ckpt_dir, "latest.pt")
    last_step = args.max_steps if args.max_steps is not None else total_steps
    if args.export:
        export_model(model.cpu(), args, step, tokens_seen, batches, None, train_seconds, total_steps)
        print(f"exported step {step} to {args.model_dir}", flush=True)
        return

    stop = {"requested": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(requested=True))
    signal.signal(signal.SIGINT, lambda *_: stop.update(requested=True))
    last_checkpoint = last_export = window_start = chunk_start = time.time()
    seconds_before = train_seconds
    window_loss, window_steps, recent_loss = 0.0, 0, None
    model.train()
    while not stop["requested"] and step < last_step:
        lr = learning_rate(step, args, total_steps)
        for group in optimizer.param_groups:
            group["lr"] = lr
        inputs, targets, mask = (t.to(args.device) for t in batches.next())
        logits, _ = model(inputs)
        loss = masked_loss(logits, targets, mask)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        optimizer.step()
        step += 1
        tokens_seen += tokens_per_step
        window_loss += loss.item()
        window_steps += 1
        if step % args.log_every == 0:
            elapsed = time.time() - window_start
            recent_loss = window_loss / window_steps
            print(f"step {step} tokens {tokens_seen} epoch {batches.epoch} loss {recent_loss:.4f} lr {lr:.2e} "
                  f"tok/s {window_steps * tokens_per_step / elapsed:.0f}", flush=True)
            window_loss, window_steps, window_start = 0.0, 0, time.time()
        now = time.time()
        train_seconds = seconds_before + now - chunk_start
        if now - last_checkpoint > args.checkpoint_minutes * 60:
            save_checkpoint(latest, model, optimizer, step, tokens_seen, batches, train_seconds)
            last_checkpoint = now
        if now - last_export > args.export_minutes * 60:
            export_model(model, args, step, tokens_seen, batches, recent_loss, train_seconds, total_steps)
            print(f"exported step {step} to {args.model_dir}", flush=True)
            last_export = now
    save_checkpoint(latest, model, optimizer, step, tokens_seen, batches, train_seconds)
    export_model(model, args, step, tokens_seen, batches, recent_loss, train_seconds, total_steps)
    finished = "schedule complete" if step >= total_steps else "stopped"
    print(f"{finished} at step {step} after {train_seconds:.0f} s of training; checkpoint {latest}; "
          f"exported to {args.model_dir}", flush=True)


if __name__ == "__main__":
    main()
