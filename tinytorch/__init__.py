"""TinyTorch: a small numpy deep-learning framework, built one course module at a time.

Import the modules you need (`from tinytorch.tensor import Tensor`). This package imports none of
them itself, so an unfinished or broken module never stops the others from loading.
"""
