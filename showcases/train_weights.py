"""Train the pretrained weights the showcases load, with tinytorch itself, from fixed seeds.

    python -m showcases.train_weights            # both models (about a quarter of an hour on one core)
    python -m showcases.train_weights digits     # only the digits MLP (seconds)
    python -m showcases.train_weights tinygpt    # only the TinyGPT (--steps N for a shorter run)

Writes showcases/assets/digits_mlp.npz and showcases/assets/tinygpt.npz: the model's state_dict()
arrays plus a JSON "__config__" entry with the architecture (enough to rebuild the model) and the
measured metrics. Load them with `showcases.datasets.load_weights(name)`.
"""

from __future__ import annotations

import argparse
import math
import time
from collections import Counter

import numpy as np

from showcases.datasets import digits_split, load_corpus, save_weights, weights_path

DIGITS_SIZES = [64, 128, 64, 10]
GPT = {"embed_dim": 128, "num_heads": 4, "num_layers": 3, "max_seq_len": 64, "seed": 0}
GPT_STEPS, GPT_BATCH, GPT_LR, GPT_WARMUP, GPT_WEIGHT_DECAY = 5000, 32, 3e-3, 200, 0.1


def train_digits(seed: int = 0) -> dict:
    """An MLP on the 80% training split of the digits; reports accuracy on the held-out 20%."""
    from tinytorch.data import DataLoader, TensorDataset
    from tinytorch.networks import MLP
    from tinytorch.optim import Adam
    from tinytorch.training import CrossEntropyLoss, Trainer

    x_train, y_train, x_test, y_test = digits_split()
    train = DataLoader(TensorDataset(x_train.reshape(len(x_train), -1), y_train), 32, shuffle=True, seed=seed)
    test = DataLoader(TensorDataset(x_test.reshape(len(x_test), -1), y_test), 512)
    model = MLP(DIGITS_SIZES, seed=seed)
    trainer = Trainer(model, Adam(model.parameters(), lr=3e-3), CrossEntropyLoss())
    history = trainer.fit(train, epochs=30, val_loader=test)
    metrics = {"test_accuracy": history[-1]["val_accuracy"], "test_loss": history[-1]["val_loss"],
               "train_accuracy": history[-1]["accuracy"], "epochs": len(history)}
    config = {"sizes": DIGITS_SIZES, "activation": "ReLU", "seed": seed,
              "input": "8x8 digit flattened to 64 values, pixel counts / 16 (showcases.datasets.load_digits)",
              "split": "showcases.datasets.digits_split(test_fraction=0.2, seed=0); trained on the train part",
              "metrics": metrics}
    save_weights("digits_mlp", model.state_dict(), config)
    return metrics


def _unigram_entropy(text: str) -> float:
    counts = np.array(list(Counter(text).values()), dtype=np.float64)
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum())


def _windows(tokens: np.ndarray, seq: int) -> tuple[np.ndarray, np.ndarray]:
    """All non-overlapping windows of `tokens` (inputs, next-character targets): every character scored once."""
    n = (len(tokens) - 1) // seq
    return tokens[: n * seq].reshape(n, seq), tokens[1 : n * seq + 1].reshape(n, seq)


def train_tinygpt(steps: int = GPT_STEPS, report_every: int = 250) -> dict:
    """A character-level TinyGPT on the corpus's first 90%, keeping the weights that did best on the last 10%.

    A model this size starts memorising its training text after about ten passes over it (the held-out
    loss rises again). So the run stops near there, the weight matrices shrink a little every step
    (decoupled weight decay, as in AdamW), and the loss on fixed windows of the held-out text decides
    which checkpoint is saved. Fixed windows of the training text give the train loss beside it, so the
    two numbers are measured alike.
    """
    from tinytorch.optim import Adam
    from tinytorch.tensor import no_grad
    from tinytorch.tinygpt import CharTokenizer, TinyGPT, sample_batch
    from tinytorch.training import CrossEntropyLoss

    text = load_corpus()
    tokenizer = CharTokenizer(text)
    tokens = np.array(tokenizer.encode(text), dtype=np.int64)
    cut = int(len(tokens) * 0.9)
    train_tokens, val_tokens = tokens[:cut], tokens[cut:]
    model = TinyGPT(tokenizer.vocab_size, **GPT)
    optimizer = Adam(model.parameters(), lr=GPT_LR)
    matrices = [p for p in model.parameters() if p.ndim >= 2]
    loss_fn = CrossEntropyLoss()
    rng = np.random.default_rng(GPT["seed"])
    seq = GPT["max_seq_len"]
    val_batches = [sample_batch(val_tokens, GPT_BATCH, seq, np.random.default_rng(i)) for i in range(12)]
    train_batches = [sample_batch(train_tokens, GPT_BATCH, seq, np.random.default_rng(100 + i)) for i in range(12)]

    def mean_loss(batches: list[tuple[np.ndarray, np.ndarray]]) -> float:
        with no_grad():
            return float(np.mean([loss_fn(model(x), y).item() for x, y in batches]))

    best = {"val_loss": float("inf"), "step": 0, "state": model.state_dict(), "train_loss": float("nan")}
    started = time.perf_counter()
    for step in range(1, steps + 1):
        warm = min(1.0, step / GPT_WARMUP)  # linear warm-up, then cosine decay to a tenth
        optimizer.lr = GPT_LR * warm * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / steps)))
        x, y = sample_batch(train_tokens, GPT_BATCH, seq, rng)
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        for p in matrices:
            p.data *= 1.0 - optimizer.lr * GPT_WEIGHT_DECAY
        if step % report_every == 0 or step == steps:
            current, fitted = mean_loss(val_batches), mean_loss(train_batches)
            if current < best["val_loss"]:
                best = {"val_loss": current, "step": step, "state": model.state_dict(), "train_loss": fitted}
            print(f"  step {step:5d}  lr {optimizer.lr:.1e}  train loss {fitted:.3f}  val loss {current:.3f}  "
                  f"{time.perf_counter() - started:6.0f} s", flush=True)
    seconds = time.perf_counter() - started
    model.load_state_dict(best["state"])
    x_all, y_all = _windows(val_tokens, seq)
    pieces = [(x_all[i : i + 64], y_all[i : i + 64]) for i in range(0, len(x_all), 64)]
    with no_grad():
        val_all = sum(loss_fn(model(x), y).item() * len(x) for x, y in pieces) / len(x_all)
    metrics = {"train_loss": best["train_loss"], "val_loss": best["val_loss"], "best_step": best["step"],
               "val_loss_all": val_all,
               "unigram_entropy": _unigram_entropy(text), "steps": steps, "batch_size": GPT_BATCH,
               "lr": GPT_LR, "warmup_steps": GPT_WARMUP, "schedule": "linear warm-up, cosine decay to lr/10",
               "weight_decay": GPT_WEIGHT_DECAY,
               "corpus_chars": len(text), "seconds": round(seconds, 1)}
    config = {**GPT, "vocab_size": tokenizer.vocab_size, "chars": "".join(tokenizer.chars),
              "corpus": "showcases/assets/corpus.txt: trained on the first 90%, checkpoint chosen on the last 10%",
              "metric_notes": "train_loss / val_loss: mean nats per character on 12 fixed batches of random "
                              "windows of the training / held-out text; val_loss_all: every held-out character, "
                              "in non-overlapping windows",
              "metrics": metrics}
    save_weights("tinygpt", best["state"], config)
    return metrics


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", nargs="*", choices=["digits", "tinygpt"], default=[])
    parser.add_argument("--steps", type=int, default=GPT_STEPS, help="TinyGPT training steps")
    args = parser.parse_args(argv)
    which = args.which or ["digits", "tinygpt"]
    if "digits" in which:
        print("digits MLP", DIGITS_SIZES)
        print("  ", train_digits(), "->", weights_path("digits_mlp"))
    if "tinygpt" in which:
        print("TinyGPT", GPT)
        print("  ", train_tinygpt(args.steps), "->", weights_path("tinygpt"))


if __name__ == "__main__":
    main()
