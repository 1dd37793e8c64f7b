"""Adam steps over z for one edit: eager on a CPU, replayed from one captured CUDA graph on a GPU.

A step (decoder forward, objective, backward to z, Adam update) is ~400 small operators. On a GPU the
Python dispatch and kernel launches of those operators, not the arithmetic, set the pace: run eagerly, the
lite and the full decoder step equally fast (benchmarks/results/README.md, "GPU speed"). So on a GPU the
first ``EAGER_STEPS`` steps run eagerly (and count as real steps), then the step is captured once and
replayed; every replay is one launch. Shapes never change within an edit, which is what a graph needs;
objectives must not read tensors back to the host or copy host constants to the device while stepping.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

Evaluate = Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor, torch.Tensor]]
"""param (N, 64, hb, wb) → (z (N, 64, hb, wb) as decoded, image (N, C, h, w), loss (N,)), differentiable.
z must be a new tensor, not ``param`` itself, which the update then changes in place."""

EAGER_STEPS = 1
"""Steps run eagerly on a GPU before the step is captured (they allocate Adam's state and initialise
cuDNN and the cached constants, none of which may happen during capture)."""


class AdamStepper:
    """Owns the free parameter and its Adam optimizer; :meth:`step` runs one step and returns the z,
    image and loss (N,) of the parameter *before* the update.

    On a GPU the returned tensors are the graph's static outputs, overwritten by the next step: copy
    what you keep. lr ramps linearly from lr/warmup to lr over the first ``warmup`` steps.
    ``graph=False`` launches every step eagerly on a GPU too (for comparisons and benchmarks).
    """

    def __init__(self, evaluate: Evaluate, start: torch.Tensor, lr: float, warmup: int, graph: bool = True) -> None:
        self.evaluate = evaluate
        self.lr, self.warmup = lr, max(1, warmup)
        self.param = start.clone().requires_grad_(True)
        self.graphed = graph and self.param.is_cuda
        # A tensor lr lives on the device, so the captured update reads each step's warm-up value.
        initial = torch.tensor(lr, device=self.param.device) if self.graphed else lr
        self.optimizer = torch.optim.Adam([self.param], lr=initial, capturable=self.graphed)
        self.steps_taken = 0
        self._graph: torch.cuda.CUDAGraph | None = None
        self._outputs: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None = None

    def step(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """One Adam step: (z, image, loss) evaluated at the parameter before it moved."""
        self._set_lr(self.lr * min(1.0, (self.steps_taken + 1) / self.warmup))
        self.steps_taken += 1
        if not self.graphed:
            return self._eager_step()
        if self.steps_taken <= EAGER_STEPS:
            return self._side_stream_step()
        if self._graph is None:
            self._capture()
        assert self._graph is not None and self._outputs is not None
        self._graph.replay()
        return self._outputs

    def _set_lr(self, value: float) -> None:
        group = self.optimizer.param_groups[0]
        if self.graphed:
            group["lr"].fill_(value)
        else:
            group["lr"] = value

    def _eager_step(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        self.optimizer.zero_grad(set_to_none=True)
        z, image, loss = self.evaluate(self.param)
        loss.sum().backward()
        self.optimizer.step()
        return z.detach(), image.detach(), loss.detach()

    def _side_stream_step(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """An eager step on a side stream, as CUDA graph capture wants its warm-up (PyTorch's docs)."""
        side = torch.cuda.Stream(self.param.device)
        side.wait_stream(torch.cuda.current_stream(self.param.device))
        with torch.cuda.stream(side):
            outputs = self._eager_step()
        torch.cuda.current_stream(self.param.device).wait_stream(side)
        return outputs

    def _capture(self) -> None:
        """Record forward, backward and update once; later steps replay the recording."""
        self.optimizer.zero_grad(set_to_none=True)
        graph = torch.cuda.CUDAGraph()
        # thread_local: the window's GUI thread may read session tensors on the GPU (showing a candidate,
        # checking consistency) while a worker captures; only this thread's calls must be capture-safe.
        with torch.cuda.graph(graph, capture_error_mode="thread_local"):
            z, image, loss = self.evaluate(self.param)
            loss.sum().backward()
            self.optimizer.step()
        self._graph = graph
        self._outputs = (z.detach(), image.detach(), loss.detach())


__all__ = ["EAGER_STEPS", "AdamStepper", "Evaluate"]
