"""The Adam stepper the engine optimizes with: same trajectory as a plain warm-up Adam loop, outputs
taken before each update (on a GPU the same code path is replayed from a CUDA graph)."""

from __future__ import annotations

import torch

from explorer_app.engine.stepper import AdamStepper


def quadratic(target: torch.Tensor):
    def evaluate(param: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        image = param * 2.0
        return param.clone(), image, (image - target).square().mean((1, 2, 3))

    return evaluate


def test_stepper_follows_adam_with_linear_warmup_and_reports_the_point_it_stepped_from() -> None:
    torch.manual_seed(0)
    start, target = torch.randn(2, 4, 3, 3), torch.randn(2, 4, 3, 3)
    stepper = AdamStepper(quadratic(target), start, lr=0.1, warmup=4)

    reference = start.clone().requires_grad_(True)
    optimizer = torch.optim.Adam([reference], lr=0.1)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda i: min(1.0, (i + 1) / 4))
    for _ in range(12):
        before = reference.detach().clone()
        loss = (reference * 2.0 - target).square().mean((1, 2, 3))
        optimizer.zero_grad()
        loss.sum().backward()
        optimizer.step()
        schedule.step()

        z, image, got = stepper.step()
        assert torch.allclose(z, before, atol=1e-6)
        assert torch.allclose(image, before * 2.0, atol=1e-6)
        assert torch.allclose(got, loss.detach(), atol=1e-6)
    assert torch.allclose(stepper.param.detach(), reference.detach(), atol=1e-6)
    assert stepper.steps_taken == 12


def test_stepper_lowers_the_loss_of_every_candidate() -> None:
    torch.manual_seed(1)
    target = torch.randn(3, 4, 2, 2)
    stepper = AdamStepper(quadratic(target), torch.zeros(3, 4, 2, 2), lr=0.05, warmup=1)
    first = stepper.step()[2].clone()
    for _ in range(40):
        last = stepper.step()[2]
    assert bool((last < 0.5 * first).all())
