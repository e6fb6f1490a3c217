"""Checks for module 11 (training): tinytorch/training.py, losses, accuracy and a Trainer that learns."""

from __future__ import annotations


def check_mse_loss() -> None:
    import numpy as np

    from tinytorch.tensor import Tensor
    from tinytorch.training import MSELoss

    pred = Tensor(np.array([1.0, 2.0, 4.0]), requires_grad=True)
    loss = MSELoss()(pred, np.array([1.0, 0.0, 1.0]))
    assert abs(loss.item() - 13.0 / 3.0) < 1e-9, f"MSE of errors (0, 2, 3): expected 4.3333, got {loss.item()}"
    loss.backward()
    assert np.allclose(pred.grad, [0.0, 4.0 / 3.0, 2.0]), f"d MSE / d pred: expected 2*err/3, got {pred.grad}"


def check_cross_entropy() -> None:
    import numpy as np

    from tinytorch.tensor import Tensor
    from tinytorch.training import CrossEntropyLoss

    raw = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    labels = np.array([0, 1])
    logits = Tensor(raw, requires_grad=True)
    loss = CrossEntropyLoss()(logits, labels)
    probs = np.exp(raw) / np.exp(raw).sum(axis=1, keepdims=True)
    expected = -np.log(probs[[0, 1], labels]).mean()
    assert abs(loss.item() - expected) < 1e-9, f"cross-entropy: expected {expected:.6f}, got {loss.item():.6f}"
    loss.backward()
    want = (probs - np.eye(3)[labels]) / 2
    assert np.allclose(logits.grad, want, atol=1e-9), f"gradient should be (softmax - onehot) / N, got {logits.grad}"
    big = CrossEntropyLoss()(Tensor(np.array([[1000.0, 0.0]])), np.array([1])).item()
    assert np.isfinite(big) and abs(big - 1000.0) < 1e-6, f"logits [1000, 0], label 1: expected 1000.0, got {big}"


def check_accuracy() -> None:
    import numpy as np

    from tinytorch.tensor import Tensor
    from tinytorch.training import accuracy

    logits = Tensor(np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]]))
    got = accuracy(logits, np.array([1, 0, 0, 0]))
    assert abs(got - 0.75) < 1e-12, f"3 of 4 right: expected 0.75, got {got}"


def check_trainer_learns() -> None:
    import numpy as np

    from tinytorch.data import DataLoader, TensorDataset
    from tinytorch.networks import MLP
    from tinytorch.optim import SGD
    from tinytorch.training import CrossEntropyLoss, Trainer

    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(-1.5, 0.5, (24, 2)), rng.normal(1.5, 0.5, (24, 2))]).astype(np.float32)
    y = np.repeat([0, 1], 24)
    loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True, seed=0)
    model = MLP([2, 8, 2], seed=0)
    trainer = Trainer(model, SGD(model.parameters(), lr=0.2, momentum=0.5), CrossEntropyLoss())
    seen: list[float] = []
    history = trainer.fit(loader, epochs=15, on_batch=lambda i, n, loss: seen.append(loss))
    assert len(history) == 15, f"fit(epochs=15) should return 15 records, got {len(history)}"
    assert len(seen) == 15 * len(loader), f"on_batch should run once per batch: {len(seen)} calls"
    assert history[-1]["loss"] < history[0]["loss"], f"loss did not fall: {history[0]['loss']} -> {history[-1]['loss']}"
    result = trainer.evaluate(DataLoader(TensorDataset(x, y), batch_size=48))
    assert result["accuracy"] == 1.0, f"two well separated blobs: expected accuracy 1.0, got {result['accuracy']}"


def check_evaluate_leaves_weights_alone() -> None:
    import numpy as np

    from tinytorch.data import DataLoader, TensorDataset
    from tinytorch.networks import MLP
    from tinytorch.optim import SGD
    from tinytorch.training import CrossEntropyLoss, Trainer

    model = MLP([3, 4, 2], seed=1)
    before = {k: v.copy() for k, v in model.state_dict().items()}
    data = TensorDataset(np.ones((5, 3), dtype=np.float32), np.array([0, 1, 0, 1, 0]))
    result = Trainer(model, SGD(model.parameters(), lr=1.0), CrossEntropyLoss()).evaluate(DataLoader(data, 2))
    assert set(result) >= {"loss", "accuracy"}, f"evaluate() should return loss and accuracy, got {result}"
    assert all(np.array_equal(before[k], v) for k, v in model.state_dict().items()), "evaluate() changed weights"
