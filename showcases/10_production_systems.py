"""Showcase 10 · Production Systems: your MLOps tools watching a model serve live traffic.

The pretrained digits network (the student's `MLP` + committed weights) serves held-out digits one
request at a time. The student's `ModelMonitor` tracks latency percentiles and accuracy, their
`DriftDetector` compares incoming pixels with the training data, and their `ModelRegistry` versions the
model. Midway the stream changes (a "new scanner": digits one pixel to the right, dimmer, noisier):
the alerts below are raised by the student's code as it happens, the model is fine-tuned with the
student's Trainer, registered as version 2 and deployed.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import deque
from pathlib import Path
from typing import Any

import _look  # before numpy: it gives this process one BLAS thread
import numpy as np
from _draw import Picture, bar, side_by_side, sparkline
from _look import Showcase
from rich.console import Group
from rich.panel import Panel
from rich.text import Text

NAME = "digits"
WINDOW = 60  # inputs per drift check
CHECK_EVERY = 20  # requests between drift checks
MIN_ACCURACY = 0.85
MAX_P95_S = 0.005
SPARK = 24  # sparkline width
SPACING_S = 0.05  # seconds between requests by default, so the dashboard can be watched


def new_scanner(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Real digits as a different scanner would see them: shifted right a pixel, dimmer, noisier."""
    images = x.reshape(-1, 8, 8)
    shifted = np.zeros_like(images)
    shifted[:, :, 1:] = images[:, :, :-1]
    noisy = shifted.reshape(len(x), -1) * 0.8 + rng.normal(0.0, 0.05, x.shape)
    return np.clip(noisy, 0.0, 1.0).astype(np.float32)


class Server:
    """One deployed model version with its monitor and drift detector, serving one request at a time."""

    def __init__(self, show: Showcase, model: Any, version: int, reference: np.ndarray) -> None:
        from tinytorch.mlops import DriftDetector, ModelMonitor

        self.show, self.model, self.version = show, model, version
        self.monitor = ModelMonitor(window=100)
        self.detector = DriftDetector(reference)
        self.recent: deque[np.ndarray] = deque(maxlen=WINDOW)
        self.latencies: deque[float] = deque(maxlen=50)
        self.accuracy_trace: list[float] = []
        self.drift = None
        self.alerts: list[tuple[str, str]] = []  # (kind, what was printed)
        self.raised: set[str] = set()
        self.last = (None, 0, 0)

    def serve(self, x: np.ndarray, label: int) -> None:
        from tinytorch.tensor import Tensor, no_grad

        start = time.perf_counter()
        with no_grad():
            prediction = int(self.model(Tensor(x[None])).data.argmax())
        latency = time.perf_counter() - start
        self.monitor.record(latency, prediction, label)  # here the label arrives at once
        self.latencies.append(latency)
        self.recent.append(x)
        self.last = (x, prediction, label)
        summary = self.monitor.summary()
        self.accuracy_trace.append(summary["accuracy"])
        if summary["count"] % CHECK_EVERY == 0 and len(self.recent) == WINDOW:
            self.drift = self.detector.check(np.stack(self.recent))
            if self.drift.drifted:
                pixel = int(np.argmax(self.drift.per_feature))
                self.alert("drift", f"DRIFT KS {self.drift.score:.2f} > {self.drift.threshold:.2f} "
                                    f"at pixel ({pixel // 8},{pixel % 8})")
        if summary["count"] >= 50:  # every request here is labelled
            for message in self.monitor.alerts(max_latency_p95=MAX_P95_S, min_accuracy=MIN_ACCURACY):
                self.alert(message.split()[0], message)

    def alert(self, kind: str, message: str) -> None:
        """Raise each kind of alert once per deployment, as it fires."""
        if kind in self.raised:
            return
        self.raised.add(kind)
        stamp = f"{self.show.elapsed:5.1f}s req {self.monitor.summary()['count']:3d} v{self.version} "
        self.alerts.append((kind, stamp + message))
        self.show.print(Text.assemble(("ALERT ", "bold white on red"), " ", stamp, (message, "bold red")))

    def frame(self, phase: str) -> Panel:
        s = self.monitor.summary()
        p50, p95 = s["latency_p50"] * 1e3, s["latency_p95"] * 1e3
        lat = Text.assemble("latency   ", f"p50 {p50:5.3f} ms  p95 {p95:5.3f} ms   ",
                            (sparkline(list(self.latencies)[-SPARK:], SPARK, low=0.0), "yellow"))
        acc = s["accuracy"] or 0.0
        trace = [a for a in self.accuracy_trace if a is not None][-SPARK:]
        accuracy = Text.assemble("accuracy  ", bar(acc, 1.0, 20, "green" if acc >= MIN_ACCURACY else "red"),
                                 f" {acc:6.1%}  ", (sparkline(trace, SPARK, 0.0, 1.0), "green"))
        if self.drift is None:
            drift = Text("drift     waiting for the first window of inputs", style="dim")
        else:
            ok = not self.drift.drifted
            drift = Text.assemble("drift     ", bar(self.drift.score, 1.0, 20, "cyan" if ok else "red"),
                                  f" KS {self.drift.score:.2f} (threshold {self.drift.threshold:.2f}) ",
                                  ("ok", "green") if ok else ("DRIFTING", "bold red"))
        x, prediction, label = self.last
        verdict = ("✓", "green") if prediction == label else ("✗", "bold red")
        request = Text.assemble(f"request {s['count']}\npredicted {prediction}\ntrue      {label} ", verdict)
        latest = side_by_side(("", Picture(x.reshape(8, 8), scale=1)), ("", request), gap=2)
        body = Group(Text(f"phase     {phase}"), lat, accuracy, drift, latest)
        return Panel(body, title=Text(f"Serving {NAME} v{self.version}", style="bold"), border_style="blue")

    def run(self, stream: list[tuple[np.ndarray, int]], phase: str) -> None:
        """Serve `stream` request by request, redrawing the dashboard after each."""
        pace = self.show.pick(SPACING_S, 0.0)
        with self.show.live(self.frame(phase) if self.last[0] is not None else Text("")) as live:
            for x, label in stream:
                self.serve(x, label)
                live.update(self.frame(phase))
                if pace:
                    time.sleep(pace)


def evaluate(model: Any, x: np.ndarray, y: np.ndarray) -> float:
    from tinytorch.tensor import Tensor, no_grad
    from tinytorch.training import accuracy

    with no_grad():
        return accuracy(model(Tensor(x)), y)


def retrain(show: Showcase, model: Any, x_new: np.ndarray, y_new: np.ndarray, x_old: np.ndarray,
            y_old: np.ndarray) -> None:
    """Fine-tune on labelled new-scanner digits mixed with some old ones, with the student's Trainer."""
    from tinytorch.data import DataLoader, TensorDataset
    from tinytorch.optim import SGD
    from tinytorch.training import CrossEntropyLoss, Trainer

    x, y = np.concatenate([x_new, x_old]), np.concatenate([y_new, y_old])
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True, seed=0)
    trainer = Trainer(model, SGD(model.parameters(), lr=0.02, momentum=0.9), CrossEntropyLoss())
    for epoch in range(1, 4):
        result = trainer.train_epoch(loader)
        show.print(Text.assemble(f"  epoch {epoch}  loss {result['loss']:.3f}  ",
                                 bar(result["accuracy"], 1.0, 24, "green"), f" {result['accuracy']:.1%} train"))
        show.pause(0.8)


def main(show: Showcase) -> None:
    from showcases.datasets import digits_split, load_weights
    from tinytorch.mlops import ModelRegistry
    from tinytorch.networks import MLP

    rng = np.random.default_rng(7)
    x_train, y_train, x_test, y_test = digits_split()
    x_train, x_test = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)
    state, config = load_weights("digits_mlp")
    model = MLP(config["sizes"], seed=0)
    model.load_state_dict(state)
    n = show.pick(160, 60)
    order = rng.permutation(len(y_test))
    clean = [(x_test[i], int(y_test[i])) for i in order[:n]]
    drifted_x = new_scanner(x_test, rng)
    drifted = [(drifted_x[i], int(y_test[i])) for i in order[n:2 * n]]
    later = [(drifted_x[i], int(y_test[i])) for i in rng.permutation(len(y_test))[:n]]

    with tempfile.TemporaryDirectory(prefix="tinytorch-registry-") as root:
        registry = ModelRegistry(Path(root))
        show.section("1 · Deploy: register version 1")
        v1 = registry.register(NAME, model, {"accuracy": evaluate(model, x_test, y_test),
                                             "new_scanner_accuracy": evaluate(model, drifted_x, y_test)})
        show.print(f"Registered {NAME} v{v1} ({registry.metrics(NAME, v1)['accuracy']:.1%} held-out) in a "
                   "temporary registry.")
        show.print(f"Alerts: drift (KS test on every {CHECK_EVERY} requests, last {WINDOW} inputs), "
                   f"accuracy < {MIN_ACCURACY:.0%},")
        show.print(f"p95 latency > {MAX_P95_S * 1e3:.0f} ms. Labels arrive with each request.")
        if not show.fast:
            show.print(f"Requests come {SPACING_S * 1e3:.0f} ms apart so you can watch; latencies are the "
                       "model's own.")
        show.pause(2.5)

        server = Server(show, model, v1, x_train)
        show.section("2 · Live traffic: held-out digits")
        server.run(clean, "normal traffic (held-out digits)")
        calm = len(server.alerts)
        show.pause(1.5)
        show.section("3 · The scanner is replaced...")
        show.print(side_by_side(*[(f"old → new  {y_test[i]}", side_by_side(
            ("", Picture(x_test[i].reshape(8, 8), scale=1)), ("", Picture(drifted_x[i].reshape(8, 8), scale=1)),
            gap=1)) for i in order[:4]], gap=3))
        server.run(drifted, "NEW SCANNER (shifted, dimmer, noisier)")
        show.print(f"{len(server.alerts) - calm} alert(s) raised by your monitor and drift detector "
                   "on the new scanner.")
        show.pause(2)

        show.section("4 · Respond: fine-tune on labelled new-scanner digits")
        sample = rng.permutation(len(y_train))[:600]
        x_new = new_scanner(x_train[sample], rng)
        candidate = MLP(config["sizes"], seed=0)
        registry.load(NAME, v1, into=candidate)
        retrain(show, candidate, x_new, y_train[sample], x_train[sample[:300]], y_train[sample[:300]])
        v2 = registry.register(NAME, candidate, {"accuracy": evaluate(candidate, x_test, y_test),
                                                 "new_scanner_accuracy": evaluate(candidate, drifted_x, y_test)})
        show.print("\nModel registry:")
        for version in registry.versions(NAME):
            m = registry.metrics(NAME, version)
            show.print(Text.assemble(f"  v{version}  held-out {m['accuracy']:6.1%}   new scanner ",
                                     bar(m["new_scanner_accuracy"], 1.0, 20, "green"),
                                     f" {m['new_scanner_accuracy']:6.1%}"))
        best = registry.best(NAME, "new_scanner_accuracy")
        show.print(Text.assemble("Best for today's traffic: ", (f"v{best}", "bold green"),
                                 f" · v{v1} stays in the registry for a rollback."))
        show.pause(2.5)

        show.section(f"5 · Deploy v{best}, traffic continues")
        serving = registry.load(NAME, best, into=MLP(config["sizes"], seed=0))
        recovered = Server(show, serving, best, x_new)  # the new scanner is the new normal
        recovered.run(later, f"new scanner, v{best} serving")
        final = recovered.monitor.summary()
        show.print(Text.assemble(f"v{best} window accuracy: ", (f"{final['accuracy']:.1%}", "bold green"),
                                 f" · alerts since deploying: {len(recovered.alerts)}"))
        p95 = final["latency_p95"]
        show.print(f"Auto-scaling from your p95 ({p95 * 1e3:.3f} ms a request, one at a time per worker):")
        for peak in (1_000, 10_000, 100_000):
            show.print(f"  {peak:>7,} requests/s → {int(np.ceil(peak * p95)):>4,} worker(s)")
        show.pause(2)

    kinds = ", ".join(sorted({kind.lower() for kind, _ in server.alerts[calm:]})) or "none"
    show.built("Your MLOps tools handle production!", [
        f"{server.monitor.summary()['count'] + final['count']} live requests, p50 latency "
        f"{final['latency_p50'] * 1e3:.3f} ms",
        f"{len(server.alerts) - calm} alert(s) raised by your code on the new scanner: {kinds}",
        f"Registry: v{v1} → v{v2}; v{best} deployed, v{v1} one load() away for a rollback",
        "Monitor, detect, retrain, redeploy: the loop production ML teams run daily",
    ])


if __name__ == "__main__":
    sys.exit(_look.run(__file__, main))
