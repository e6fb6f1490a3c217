"""Train the pretrained weights the showcases load, with tinytorch itself, from fixed seeds.

    python -m showcases.train_weights            # both models (several minutes on 2 cores)
    python -m showcases.train_weights digits     # only the digits MLP (seconds)
    python -m showcases.train_weights tinygpt    # only the TinyGPT

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
GPT = {"embed_dim": 96, "num_heads": 4, "num_layers": 3, "max_seq_len": 64, "seed": 0}
GPT_STEPS, GPT_BATCH, GPT_LR = 1500, 32, 3e-3


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


def train_tinygpt(steps: int = GPT_STEPS, report_every: int = 250) -> dict:
    """A character-level TinyGPT on the corpus's first 90%, keeping the weights that did best on the last 10%.

    The corpus is small, so a model this size starts memorising it long before the step budget runs
    out; the validation loss (fixed windows of the held-out text) decides which checkpoint is saved.
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
    loss_fn = CrossEntropyLoss()
    rng = np.random.default_rng(GPT["seed"])
    seq = GPT["max_seq_len"]
    val_batches = [sample_batch(val_tokens, GPT_BATCH, seq, np.random.default_rng(i)) for i in range(12)]

    def val_loss() -> float:
        with no_grad():
            return float(np.mean([loss_fn(model(x), y).item() for x, y in val_batches]))

    best = {"val_loss": float("inf"), "step": 0, "state": model.state_dict()}
    started, recent = time.perf_counter(), []
    for step in range(1, steps + 1):
        warm = min(1.0, step / 200)  # short warm-up, then cosine decay to a tenth
        optimizer.lr = GPT_LR * warm * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / steps)))
        x, y = sample_batch(train_tokens, GPT_BATCH, seq, rng)
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        recent.append(loss.item())
        if step % report_every == 0:
            current = val_loss()
            if current < best["val_loss"]:
                best = {"val_loss": current, "step": step, "state": model.state_dict(),
                        "train_loss": float(np.mean(recent[-report_every:]))}
            print(f"  step {step:5d}  train loss {np.mean(recent[-report_every:]):.3f}  val loss {current:.3f}  "
                  f"{time.perf_counter() - started:6.0f} s", flush=True)
    metrics = {"train_loss": best["train_loss"], "val_loss": best["val_loss"], "best_step": best["step"],
               "unigram_entropy": _unigram_entropy(text), "steps": steps, "batch_size": GPT_BATCH,
               "seconds": round(time.perf_counter() - started, 1)}
    config = {**GPT, "vocab_size": tokenizer.vocab_size, "chars": "".join(tokenizer.chars),
              "corpus": "showcases/assets/corpus.txt: trained on the first 90%, checkpoint chosen on the last 10%",
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
