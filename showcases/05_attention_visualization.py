"""Showcase 05 · Attention Visualization: what your attention looks at, as heatmaps.

Runs on the student's `scaled_dot_product_attention`, `causal_mask` and `MultiHeadAttention`
(module 07). Sections 2-4 use hand-built queries and keys, stated as such: one-hot characters
(a head that matches content) and sinusoidal positions rotated by one step (a head that looks at the
previous position). Section 5 loads the attention weights of the first layer of the TinyGPT trained
on Python source (showcases/assets/tinygpt.npz) into the student's MultiHeadAttention; the token and
position embeddings and the layer norm before it are computed here with numpy (they are module 16).
"""

from __future__ import annotations

import sys

import _look  # before numpy: it gives this process one BLAS thread
import numpy as np
from _draw import Heatmap, side_by_side
from _look import Showcase
from rich.text import Text

SENTENCE = "the cat sat on the mat"


def attend(q: np.ndarray, k: np.ndarray, v: np.ndarray, mask: np.ndarray | None = None):
    """The student's scaled_dot_product_attention on numpy inputs → (out, weights) numpy."""
    from tinytorch.attention import scaled_dot_product_attention
    from tinytorch.tensor import Tensor

    out, weights = scaled_dot_product_attention(Tensor(q), Tensor(k), Tensor(v), mask)
    return out.data, weights.data


def shown(chars: str) -> list[str]:
    return ["␣" if c == " " else c for c in chars]


def one_hot(text: str, alphabet: str) -> np.ndarray:
    return np.eye(len(alphabet), dtype=np.float32)[[alphabet.index(c) for c in text]]


def intro(show: Showcase) -> None:
    show.section("1 · Attention: every position takes a weighted look at the others")
    show.print("weights = softmax(Q·Kᵀ / √d)   out = weights · V")
    show.print("Row i of the weights says how much position i reads from each position j.")
    show.print("Rows sum to 1. Below, darker = ignored, brighter = attended.")
    show.pause(4)


def content_head(show: Showcase) -> None:
    show.section("2 · A head that matches content")
    alphabet = sorted(set(SENTENCE))
    x = one_hot(SENTENCE, alphabet) * 4.0  # hand-built: a character's query and key are its one-hot × 4
    _, weights = attend(x, x, x)
    show.print(f"Q = K = one-hot characters of {SENTENCE!r} × 4 (hand-built).")
    show.print("Each letter finds its twins:")
    show.print(Heatmap(weights, shown(SENTENCE), cell=3))
    t = SENTENCE.index("t")
    share = weights[t, [i for i, c in enumerate(SENTENCE) if c == "t"]].sum()
    show.print(f"Row 't': {share:.0%} of its attention goes to the {SENTENCE.count('t')} t's in the sentence.")
    show.pause(4)


def position_head(show: Showcase) -> np.ndarray:
    show.section("3 · A head that looks one step back")
    n, d = len(SENTENCE), 32
    freqs = 1.0 / 100.0 ** (2 * np.arange(d // 2) / d)
    angles = np.arange(n)[:, None] * freqs
    positions = np.concatenate([np.sin(angles), np.cos(angles)], axis=1).astype(np.float32)
    c, s = np.diag(np.cos(freqs)), np.diag(np.sin(freqs))
    back_one = np.block([[c, -s], [s, c]]).astype(np.float32)  # rotates position p onto p - 1
    q = positions @ back_one.T * 10.0
    alphabet = sorted(set(SENTENCE))
    values = one_hot(SENTENCE, alphabet)
    out, weights = attend(q, positions, values)
    show.print("Keys: sinusoidal position codes. Queries: the same codes rotated back one step")
    show.print("(hand-built). Values: the characters. A stripe just left of the diagonal:")
    show.print(Heatmap(weights, shown(SENTENCE), cell=3))
    moved = "".join(alphabet[i] for i in out.argmax(axis=1))
    show.print(f"sentence:            {SENTENCE}")
    show.print(Text.assemble("out = weights·V:     ", (moved, "bold green")))
    carried = sum(a == b for a, b in zip(moved[1:], SENTENCE, strict=False))
    show.print(f"{carried} of {n - 1} positions now hold the character before them:")
    show.print("attention moved information from one position to another.")
    show.pause(5)
    return weights


def causal(show: Showcase) -> None:
    from tinytorch.attention import causal_mask

    show.section("4 · Full vs causal: no peeking at the future")
    words = "to be or not to be".split()
    vocab = sorted(set(words))
    x = np.eye(len(vocab), dtype=np.float32)[[vocab.index(w) for w in words]] * 3.0
    mask = causal_mask(len(words))
    _, full = attend(x, x, x)
    _, masked = attend(x, x, x, mask)
    show.print("Word-level content matching on 'to be or not to be' (one-hot words × 3):")
    show.print(side_by_side(("full: sees everything", Heatmap(full, words, values=True)),
                            ("causal_mask: only the past", Heatmap(masked, words, values=True)), gap=4))
    allowed = int(mask.sum())
    leak = float(masked[~mask].max())
    verdict = "exactly 0" if leak == 0 else "not 0: the future leaks in"
    show.print(f"Your causal_mask allows {allowed} of {mask.size} pairs; the upper triangle is {verdict}:")
    show.print(f"max weight above the diagonal = {leak:.1e}. GPT reads this way: each")
    show.print("position predicts the next word from the words before it only.")
    show.pause(4)


def layer0_input(state: dict, chars: str, line: str) -> np.ndarray:
    """What the first attention layer of the TinyGPT reads: layer-normed token + position embeddings."""
    ids = [chars.index(c) for c in line]
    x = state["token_embedding.weight"][ids] + state["position_embedding.weight"][: len(ids)]
    centred = x - x.mean(axis=-1, keepdims=True)
    normed = centred / np.sqrt((centred**2).mean(axis=-1, keepdims=True) + 1e-5)
    return (normed * state["blocks.0.ln1.gamma"] + state["blocks.0.ln1.beta"]).astype(np.float32)


def trained_heads(show: Showcase) -> None:
    from showcases.datasets import load_weights
    from tinytorch.attention import MultiHeadAttention, causal_mask
    from tinytorch.tensor import Tensor, no_grad

    show.section("5 · Trained heads: the first layer of a TinyGPT trained on Python")
    state, config = load_weights("tinygpt")
    heads = config["num_heads"]
    attention = MultiHeadAttention(config["embed_dim"], heads)
    prefix = "blocks.0.attn."
    attention.load_state_dict({k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)})
    show.print(f"Your MultiHeadAttention({config['embed_dim']}, {heads}) with the trained weights, causal.")
    show.print("Its input (embeddings + layer norm, module 16) is computed with numpy.")
    for line in show.pick(["if x < a[mid]:", "while lo < hi:"], ["if x < a[mid]:"]):  # lines of bisect.py
        with no_grad():
            attention(Tensor(layer0_input(state, config["chars"], line)[None]), causal_mask(len(line)))
        weights = attention.attention_weights[0]
        show.print(f"\n{line!r}: each head learned its own way of looking back.")
        for h in range(0, heads, 2):
            show.print(side_by_side(*[(f"head {g + 1}", Heatmap(weights[g], shown(line), cell=2))
                                      for g in range(h, min(h + 2, heads))], gap=6))
            show.pause(3)
        for g in range(heads):
            back = np.mean([i - weights[g, i].argmax() for i in range(1, len(line))])
            most = shown(line)[int(weights[g, 1:].sum(axis=0).argmax())]
            show.print(f"head {g + 1}: strongest look {back:.1f} characters back on average; "
                       f"reads {most!r} the most")
        show.pause(2)


def main(show: Showcase) -> None:
    intro(show)
    content_head(show)
    position_head(show)
    causal(show)
    trained_heads(show)
    show.built("Your attention mechanism focuses on important parts!", [
        "scaled_dot_product_attention: softmax(QKᵀ/√d)·V, every row summing to 1",
        "Content heads find matching tokens; position heads look a fixed step back",
        "causal_mask: the rule that lets GPT generate text one token at a time",
        "MultiHeadAttention ran trained transformer weights: the path to GPT",
    ])


if __name__ == "__main__":
    sys.exit(_look.run(__file__, main))
