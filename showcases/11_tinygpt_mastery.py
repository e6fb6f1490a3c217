"""Showcase 11 · TinyGPT Mastery: your transformer writing text, one character at a time.

The committed TinyGPT weights (trained with tinytorch on the bundled corpus: the Zen of Python and
Python standard-library source) are loaded into the student's `TinyGPT`. Everything shown is computed
now by the student's code: the held-out loss, the next-character probabilities, and every generated
character, printed by the `on_token` callback the moment `generate()` picks it.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import _look  # before numpy: it gives this process one BLAS thread
import numpy as np
from _draw import bar
from _look import Showcase
from rich.text import Text

# (kind, prompt, temperature, top_k): matched to what the corpus holds
PROMPTS = [
    ("code", "class Queue:\n    def put(self, item", 0.7, 10),
    ("prose", "# If the file", 0.8, 10),  # the corpus's English is its comments and docstrings
    ("technical", '    def choice(self, seq):\n        """Return a random', 0.7, 10),
]
GUTTER = "│ "
LINE = 76  # characters of generated text per screen line
READING_RATE = 70.0  # characters a second at most on screen by default, so you can read along


class Stream:
    """Prints characters as they arrive, wrapped to the screen, and times the model between them."""

    def __init__(self, show: Showcase, tokenizer: Any, rate: float) -> None:
        self.show, self.tokenizer, self.rate = show, tokenizer, rate
        self.column = 0
        self.count = 0
        self.paced = 0.0  # seconds spent waiting so a reader can follow (not model time)
        self.chars: list[str] = []

    def write(self, text: str, style: str = "") -> None:
        for char in text:
            if char == " " and self.column >= LINE:
                continue  # a run of spaces past the margin: nothing to see, so no empty lines
            if char == "\n" or self.column >= LINE:
                self.show.console.print()
                self.show.console.print(GUTTER, end="", style="dim")
                self.column = 0
                if char == "\n":
                    continue
            self.show.console.print(Text(char, style=style), end="")
            self.column += 1

    def start(self, prompt: str) -> None:
        self.show.console.print(GUTTER, end="", style="dim")
        self.column = 0
        self.write(prompt, "dim")
        self.began = time.perf_counter()

    def on_token(self, token: int) -> None:
        """Called by the student's generate() with each new token id."""
        char = self.tokenizer.decode([token])
        self.chars.append(char)
        self.count += 1
        self.write(char, "bold green")
        self.show.console.file.flush()
        if self.rate:
            wait = self.began + self.count / self.rate - time.perf_counter()  # a steady reading pace
            if wait > 0:
                time.sleep(wait)
                self.paced += wait

    def finish(self) -> float:
        """Seconds the model itself took (pacing excluded)."""
        self.show.console.print()
        return time.perf_counter() - self.began - self.paced


def meet_the_model(show: Showcase) -> tuple[str, Any, Any]:
    from showcases.datasets import load_corpus, load_weights
    from tinytorch.tinygpt import CharTokenizer, TinyGPT

    show.section("1 · Your TinyGPT, with trained weights")
    text = load_corpus()
    state, config = load_weights("tinygpt")
    tokenizer = CharTokenizer(config.get("chars") or text)  # the vocabulary the weights were trained with
    arch = {k: config[k] for k in ("vocab_size", "embed_dim", "num_heads", "num_layers", "max_seq_len")}
    model = TinyGPT(**arch)
    model.load_state_dict(state)
    n_params = sum(p.size for p in model.parameters())
    show.print(f"Corpus: {len(text):,} characters of Python (the Zen of Python + standard-library")
    show.print(f"source) over a vocabulary of {tokenizer.vocab_size} characters, one id each in your CharTokenizer.")
    show.print(f"TinyGPT: {arch['num_layers']} transformer blocks × {arch['num_heads']} attention heads, "
               f"{arch['embed_dim']}-d embeddings,")
    show.print(f"a {arch['max_seq_len']}-character context window, {n_params:,} parameters loaded into "
               "YOUR classes.")
    sample = "def add(a, b):"
    ids = tokenizer.encode(sample)
    show.print(f"\nencode({sample!r}) → {ids}")
    show.print(f"decode(...) → {tokenizer.decode(ids)!r}")
    show.pause(2.5)
    return text, tokenizer, model


def held_out_loss(show: Showcase, text: str, tokenizer: Any, model: Any) -> float:
    from tinytorch.tensor import no_grad
    from tinytorch.training import CrossEntropyLoss

    show.section("2 · How well does it know Python? (text it never trained on)")
    tokens = np.array(tokenizer.encode(text[int(len(text) * 0.9):]), dtype=np.int64)  # the held-out 10%
    seq, n = model.max_seq_len, show.pick(32, 4)
    starts = np.linspace(0, len(tokens) - seq - 1, n).astype(int)
    x = np.stack([tokens[s:s + seq] for s in starts])
    y = np.stack([tokens[s + 1:s + seq + 1] for s in starts])
    with no_grad():
        loss = CrossEntropyLoss()(model(x), y).item()
    uniform = np.log(tokenizer.vocab_size)
    show.print(Text.assemble("Cross-entropy on held-out text: ", (f"{loss:.2f} nats", "bold green"),
                             f" ({loss / np.log(2):.2f} bits per character)"))
    show.print(f"Guessing uniformly among {tokenizer.vocab_size} characters would score {uniform:.2f} nats: "
               f"your model is")
    show.print(f"as unsure as a choice between ~{np.exp(loss):.1f} characters instead of "
               f"{tokenizer.vocab_size}.")
    show.pause(2.5)
    return loss


def next_character(show: Showcase, tokenizer: Any, model: Any) -> None:
    from tinytorch.tensor import no_grad

    show.section("3 · What it thinks comes next")
    for context in ("import ", "    return sel", "for i in range("):
        with no_grad():
            logits = model(np.array([tokenizer.encode(context)])).data[0, -1].astype(np.float64)
        probs = np.exp(logits - logits.max())
        probs /= probs.sum()
        show.print(Text.assemble("after ", (repr(context), "bold"), ":"))
        for i in np.argsort(-probs)[:4]:
            show.print(Text.assemble(f"   {tokenizer.decode([int(i)])!r:>6} ", bar(probs[i], 1.0, 40, "cyan"),
                                     f" {probs[i]:6.1%}"))
        show.pause(1.5)


def generate(show: Showcase, tokenizer: Any, model: Any, kind: str, prompt: str, temperature: float,
             top_k: int | None, n: int, seed: int) -> tuple[int, float]:
    """One prompt: stream the student's generate() to the screen; returns (new tokens, model seconds)."""
    top = "none" if top_k is None else str(top_k)
    show.print(Text(f"\n{kind} · temperature {temperature} · top-k {top} · seed {seed} · {n} tokens",
                    style="bold"))
    stream = Stream(show, tokenizer, rate=show.pick(READING_RATE, 0.0))
    stream.start(prompt)
    out = model.generate(tokenizer.encode(prompt), n, temperature=temperature, top_k=top_k, seed=seed,
                         on_token=stream.on_token)
    seconds = stream.finish()
    new = len(out) - len(tokenizer.encode(prompt))
    assert tokenizer.decode(out[-new:]) == "".join(stream.chars), "on_token saw different tokens"
    variety = f" · {len(set(stream.chars))} distinct, {stream.chars.count(' ') / new:.0%} spaces"
    show.print(Text(f"→ {new}/{n} new tokens in {seconds:.2f} s ({new / seconds:,.0f} tokens/s){variety}",
                    style="dim"))
    show.pause(1.5)
    return new, seconds


def main(show: Showcase) -> None:
    text, tokenizer, model = meet_the_model(show)
    held_out_loss(show, text, tokenizer, model)
    next_character(show, tokenizer, model)

    show.section("4 · YOUR GPT writing: code, prose, technical docs")
    if not show.fast:
        show.print(f"Shown at up to {READING_RATE:.0f} characters a second so you can read along; the")
        show.print("timing under each counts only your model's own work.")
    total, seconds = 0, 0.0
    for seed, (kind, prompt, temperature, top_k) in enumerate(PROMPTS, start=1):
        new, spent = generate(show, tokenizer, model, kind, prompt, temperature, top_k, show.pick(240, 40), seed)
        total, seconds = total + new, seconds + spent

    show.section("5 · Temperature: how adventurous the sampling is")
    for temperature, top_k in ((0.0, None), (0.8, None), (1.5, None)):
        new, spent = generate(show, tokenizer, model, "code", "    def ", temperature, top_k,
                              show.pick(100, 20), 7)
        total, seconds = total + new, seconds + spent
    show.print("Temperature 0 always takes the likeliest character; higher temperatures flatten")
    show.print("the odds, so the text gets more surprising, and more often wrong.")

    show.built("YOUR GPT is thinking and writing!", [
        f"{total:,} characters generated live at {total / seconds:,.0f} tokens/s on your code",
        "Embeddings, causal multi-head attention, LayerNorm, residuals: all yours",
        "Temperature and top-k: the same knobs as in production LLM APIs",
        "Scale the same blocks up (and the data) and you have the GPT family",
    ])


if __name__ == "__main__":
    sys.exit(_look.run(__file__, main))
