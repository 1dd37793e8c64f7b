"""The training loop: a schedule of phases with step and time budgets, resumable checkpoints, a
progress line, loss curves, and the trained decoders written as shipped-format weights."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist

from ..decoder.model import JpegDecoder
from ..decoder.registry import save_decoder
from .checkpoint import load_checkpoint, save_checkpoint
from .compression import CompressionSampler, compress
from .critic import Critic
from .encoder import PosteriorEncoder
from .patches import PatchPool
from .phases import Phase


@dataclass
class Budget:
    """A phase ends after ``steps`` steps or ``seconds`` of wall time, whichever comes first."""

    steps: int
    seconds: float = float("inf")

    def done(self, step: int, elapsed: float) -> bool:
        return step >= self.steps or elapsed >= self.seconds

    def progress(self, step: int, elapsed: float) -> float:
        return max(step / self.steps, elapsed / self.seconds)


@dataclass
class ScheduledPhase:
    phase: Phase
    budget: Budget
    saves: str | None = None
    """Model name ("faithful" / "explorable") written when the phase ends, or None."""


@dataclass
class RunState:
    phase_index: int = 0
    step: int = 0
    elapsed: float = 0.0
    history: dict[str, list[list[float]]] = field(default_factory=dict)
    """Per phase: rows of [global step, loss values in the phase's key order]."""
    keys: dict[str, list[str]] = field(default_factory=dict)
    log: list[dict] = field(default_factory=list)


def is_main_process() -> bool:
    return not (dist.is_available() and dist.is_initialized()) or dist.get_rank() == 0


class Trainer:
    def __init__(
        self,
        decoder: JpegDecoder,
        critic: Critic,
        schedule: list[ScheduledPhase],
        pool: PatchPool,
        run_dir: Path,
        size_name: str,
        batch_size: int,
        patch_size: int,
        seed: int,
        checkpoint_seconds: float = 120.0,
        encoder: PosteriorEncoder | None = None,
    ) -> None:
        self.decoder, self.critic, self.schedule, self.pool = decoder, critic, schedule, pool
        self.modules: dict[str, torch.nn.Module] = {"decoder": decoder, "critic": critic}
        if encoder is not None:
            self.modules["encoder"] = encoder
        self.run_dir, self.size_name = run_dir, size_name
        self.batch_size, self.patch_size = batch_size, patch_size
        self.sampler = CompressionSampler()
        rank = dist.get_rank() if dist.is_available() and dist.is_initialized() else 0
        self.rng = np.random.default_rng(seed + 1000 * rank)
        self.checkpoint_seconds = checkpoint_seconds
        self.state = RunState()
        run_dir.mkdir(parents=True, exist_ok=True)

    @property
    def checkpoint_path(self) -> Path:
        return self.run_dir / "checkpoint.safetensors"

    def _optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {f"{s.phase.name}.{k}": o for s in self.schedule for k, o in s.phase.optimizers.items()}

    def resume(self) -> bool:
        """Continue from the run folder's checkpoint when there is one."""
        if not self.checkpoint_path.exists():
            return False
        header = load_checkpoint(self.checkpoint_path, self.modules, self._optimizers(), self.pool.pool.device)
        self.state = RunState(**header)
        return True

    def save(self) -> None:
        if is_main_process():
            save_checkpoint(self.checkpoint_path, self.modules, self._optimizers(), self.state.__dict__)

    def _batch(self):
        rgb = self.pool.batch(self.batch_size)
        luma, chroma = self.sampler.tables(self.batch_size, self.rng)
        return rgb, compress(rgb, luma, chroma, self.sampler.sampling(self.rng))

    def run(self) -> None:
        while self.state.phase_index < len(self.schedule):
            scheduled = self.schedule[self.state.phase_index]
            if scheduled.budget.steps == 0:  # a phase switched off
                self.state.phase_index += 1
                continue
            self._run_phase(scheduled)
            if scheduled.saves and is_main_process():
                self._write_model(scheduled.saves)
            self.state.phase_index += 1
            self.state.step, self.state.elapsed = 0, 0.0
            self.save()
        self.save()  # also records phases switched off at the end, so a re-run knows the run is complete
        if is_main_process():
            self.plot()

    def _run_phase(self, scheduled: ScheduledPhase) -> None:
        phase, budget, state = scheduled.phase, scheduled.budget, self.state
        started, last_save, last_print = time.time() - state.elapsed, time.time(), 0.0
        printed_step, printed_at = state.step, time.time()
        rows = state.history.setdefault(phase.name, [])
        while not budget.done(state.step, state.elapsed):
            rgb, code = self._batch()
            losses = phase.step(rgb, code, budget.progress(state.step, state.elapsed))
            state.keys[phase.name] = list(losses)
            rows.append([state.step, *losses.values()])
            state.step += 1
            state.elapsed = time.time() - started
            if is_main_process() and (time.time() - last_print > 5 or budget.done(state.step, state.elapsed)):
                last_print = time.time()
                fraction = min(budget.progress(state.step, state.elapsed), 1.0)
                bar = "#" * int(30 * fraction)
                text = " ".join(f"{k}={v:.4f}" for k, v in losses.items())
                rate = (state.step - printed_step) * self.batch_size / max(time.time() - printed_at, 1e-9)
                printed_step, printed_at = state.step, time.time()
                print(
                    f"\r[{self.size_name}:{phase.name}] [{bar:<30}] {fraction:5.1%} step {state.step} "
                    f"{rate:,.0f} patches/s {text}",
                    end="\n" if fraction >= 1 else "",
                    file=sys.stderr,
                    flush=True,
                )
            if time.time() - last_save > self.checkpoint_seconds:
                self.save()
                last_save = time.time()
        state.log.append(
            {
                "phase": phase.name,
                "steps": state.step,
                "seconds": round(state.elapsed, 1),
                "patches": state.step * self.batch_size,
                "final": {
                    k: float(np.mean([r[i + 1] for r in rows[-50:]]))
                    for i, k in enumerate(state.keys.get(phase.name, []))
                },
            }
        )

    def _write_model(self, name: str) -> None:
        metadata = {"training": json.dumps(self.state.log)}
        save_decoder(self.decoder, self.run_dir / "models", name, self.size_name, metadata)

    def plot(self) -> None:
        """Loss curves of every phase, smoothed, in ``loss_curves.png``."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        phases = [p for p in self.state.history if self.state.history[p]]
        figure, axes = plt.subplots(1, max(len(phases), 1), figsize=(5 * max(len(phases), 1), 3.5), squeeze=False)
        for axis, name in zip(axes[0], phases):
            rows = np.array(self.state.history[name])
            window = max(1, len(rows) // 100)
            for i, key in enumerate(self.state.keys[name]):
                values = np.convolve(rows[:, i + 1], np.ones(window) / window, mode="valid")
                axis.plot(rows[window - 1 :, 0], values, label=key)
            axis.set_title(f"{self.size_name}: {name}")
            axis.set_xlabel("step")
            axis.legend(fontsize=7)
        figure.tight_layout()
        figure.savefig(self.run_dir / "loss_curves.png", dpi=100)
        plt.close(figure)
