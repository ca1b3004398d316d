"""Timing of a PyTorch forward pass, shared by the feature-extraction comparison scripts."""

import time

import torch


def best_forward_seconds(model, x, reps):
    """Fastest of `reps` forward passes of `x` under torch.no_grad, after one warm-up pass."""
    with torch.no_grad():
        model(x)
        best = float("inf")
        for _ in range(reps):
            t = time.perf_counter()
            model(x)
            best = min(best, time.perf_counter() - t)
    return best
