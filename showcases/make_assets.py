"""Build the bundled data assets in showcases/assets/ (dev-time only; the committed files are the output).

    digits.csv.gz      copied from scikit-learn (`pip install scikit-learn`): the UCI optical digits
    corpus.txt         the Zen of Python + a set of pure-ASCII standard-library modules of THIS Python
    cifar10_sample/    a CIFAR-10-format sample of real photographs (`pip install scikit-image`)

Neither scikit package is a dependency of this project. Run `python -m showcases.make_assets` and
commit what it writes; LICENSES.md says where each file comes from and under which licence.

The CIFAR sample holds 32x32 thumbnails cut from real, public-domain / CC0 photographs that ship inside
scikit-image (`pip install scikit-image`; it is not a dependency of this project). Each class is
one photograph; every thumbnail is a different seeded square crop of it (position, size, mirror),
downscaled with anti-aliasing. The files use the official CIFAR-10 python batch format, so the
course's CIFAR reader loads them exactly like the real data set:

    data_batch_1, test_batch   pickled dicts: b'data' uint8 (N, 3072) = R, G, B planes of 32x32,
                               row-major; b'labels' list[int]; b'filenames'; b'batch_label'
    batches.meta               pickled dict: b'label_names' list[bytes], b'num_cases_per_batch'

"""

from __future__ import annotations

import codecs
import pickle
import re
import shutil
import string
import sys
import sysconfig
from pathlib import Path

import numpy as np

ASSETS = Path(__file__).resolve().parent / "assets"
OUT = ASSETS / "cifar10_sample"
# Well documented, pure-ASCII (no tabs) modules of the standard library, in corpus order. TinyGPT
# trains on the first 90% of the corpus and is judged on the last 10%: the small everyday modules at
# the end (filecmp ... timeit), which it never sees while training.
CORPUS_MODULES = ("textwrap", "string", "bisect", "colorsys", "queue", "fnmatch", "glob", "sched",
                  "graphlib", "abc", "copy", "reprlib", "contextlib", "random", "operator", "numbers",
                  "dataclasses", "calendar", "cmd", "pprint", "difflib", "posixpath", "genericpath",
                  "linecache", "selectors", "shelve", "tempfile", "threading", "tokenize", "traceback",
                  "weakref", "warnings", "copyreg", "configparser", "argparse", "pathlib", "shutil",
                  "filecmp", "types", "base64", "csv", "fileinput", "timeit")
CORPUS_CHARS = set(string.printable) - set("\t\r\x0b\x0c")  # the 95 printable ASCII characters and "\n"
SEED = 10
TRAIN_PER_CLASS = 10
TEST_PER_CLASS = 4

# label name -> (scikit-image loader, subject centre (row, col), smallest and largest crop side)
PHOTOS = {
    "cat": ("chelsea", (150, 225), 200, 300),
    "coffee": ("coffee", (200, 285), 260, 400),
    "astronaut": ("astronaut", (230, 220), 260, 512),
    "rocket": ("rocket", (230, 320), 220, 427),
    "galaxy": ("hubble_deep_field", (436, 500), 160, 600),
    "cameraman": ("camera", (220, 256), 260, 512),
}


def _photo(loader: str) -> np.ndarray:
    """The named scikit-image photograph as uint8 RGB (grey images get three equal planes)."""
    import skimage.data

    image = getattr(skimage.data, loader)()
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    return image[..., :3]


def _thumbnail(image: np.ndarray, centre: tuple[int, int], side: int, rng: np.random.Generator) -> np.ndarray:
    """One jittered square crop around `centre`, maybe mirrored, resized to 32x32x3 uint8."""
    from skimage.transform import resize

    height, width = image.shape[:2]
    side = min(side, height, width)
    jitter = side // 10
    top = int(np.clip(centre[0] - side // 2 + rng.integers(-jitter, jitter + 1), 0, height - side))
    left = int(np.clip(centre[1] - side // 2 + rng.integers(-jitter, jitter + 1), 0, width - side))
    crop = image[top : top + side, left : left + side]
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    small = resize(crop, (32, 32), anti_aliasing=True, preserve_range=True)
    return np.clip(np.rint(small), 0, 255).astype(np.uint8)


def _batch(thumbs: list[np.ndarray], labels: list[int], names: list[bytes], title: str) -> dict:
    """An official-format batch dict: rows are the R, G and B 32x32 planes, row-major."""
    data = np.stack([t.transpose(2, 0, 1).reshape(-1) for t in thumbs]).astype(np.uint8)
    return {b"batch_label": title.encode(), b"labels": labels, b"data": data, b"filenames": names}


def build_digits() -> None:
    """Copy scikit-learn's digits.csv.gz (1797 rows: 64 pixels in 0..16, then the label)."""
    import sklearn

    shutil.copyfile(Path(sklearn.__file__).parent / "datasets" / "data" / "digits.csv.gz",
                    ASSETS / "digits.csv.gz")


def build_corpus() -> None:
    """Write corpus.txt: the Zen of Python, then each module's source under a one-line header."""
    lib = Path(sysconfig.get_paths()["stdlib"])
    zen_source = (lib / "this.py").read_text()
    zen = codecs.decode(re.search(r's = """(.*?)"""', zen_source, re.S).group(1), "rot13")
    parts = [zen.rstrip("\n") + "\n"]
    version = ".".join(map(str, sys.version_info[:3]))
    for name in CORPUS_MODULES:
        text = (lib / f"{name}.py").read_text(encoding="ascii")
        if set(text) - CORPUS_CHARS:
            raise ValueError(f"Lib/{name}.py has characters outside the corpus vocabulary")
        parts.append(f"# ---- Lib/{name}.py (Python {version}) ----\n{text.rstrip()}\n")
    (ASSETS / "corpus.txt").write_text("\n\n".join(parts), encoding="ascii")


def build_cifar_sample(out: Path = OUT) -> None:
    """Write data_batch_1, test_batch and batches.meta into `out`."""
    rng = np.random.default_rng(SEED)
    splits: dict[str, tuple[list, list, list]] = {"train": ([], [], []), "test": ([], [], [])}
    for label, (name, (loader, centre, low, high)) in enumerate(PHOTOS.items()):
        image = _photo(loader)
        for split, count in (("train", TRAIN_PER_CLASS), ("test", TEST_PER_CLASS)):
            thumbs, labels, names = splits[split]
            for i in range(count):
                thumbs.append(_thumbnail(image, centre, int(rng.integers(low, high + 1)), rng))
                labels.append(label)
                names.append(f"{name}_{loader}_{split}_{i:02d}.png".encode())
    order = {split: rng.permutation(len(v[0])) for split, v in splits.items()}
    out.mkdir(parents=True, exist_ok=True)
    for split, filename, title in (("train", "data_batch_1", "training batch 1 of 1"),
                                   ("test", "test_batch", "testing batch 1 of 1")):
        thumbs, labels, names = splits[split]
        idx = order[split]
        batch = _batch([thumbs[i] for i in idx], [labels[i] for i in idx], [names[i] for i in idx], title)
        with open(out / filename, "wb") as f:
            pickle.dump(batch, f, protocol=4)
    meta = {b"label_names": [n.encode() for n in PHOTOS],
            b"num_cases_per_batch": TRAIN_PER_CLASS * len(PHOTOS), b"num_vis": 3072}
    with open(out / "batches.meta", "wb") as f:
        pickle.dump(meta, f, protocol=4)


if __name__ == "__main__":
    build_digits()
    build_corpus()
    build_cifar_sample()
    print(f"wrote {ASSETS}")
