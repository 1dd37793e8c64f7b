"""The training pipeline on the CPU with tiny networks: every phase runs and lowers what it should,
a run resumes from its checkpoint, and the written models load as shipped-format decoders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from explorer_app.decoder.code_tensors import CodeTensors
from explorer_app.decoder.model import DecoderSize, JpegDecoder
from explorer_app.decoder.registry import load_decoder
from explorer_app.ops.quantization import requantize
from explorer_app.ops.dct import block_dct
from explorer_app.ops.color import rgb_to_ycbcr
from explorer_app.train.compression import CompressionSampler, compress
from explorer_app.train.critic import Critic
from explorer_app.train.patches import PatchPool
from explorer_app.train.phases import AdversarialPhase, ChromaPhase, LumaPhase
from explorer_app.train.trainer import Budget, ScheduledPhase, Trainer

TINY = DecoderSize(16, 2, 8, 2)


class SmoothPhotos:
    """Smooth random colour fields with mild texture: a stand-in for photos that needs no files."""

    def random_crops(self, n: int, size: int, rng: np.random.Generator) -> np.ndarray:
        crops = []
        for _ in range(n):
            coarse = rng.random((size // 16 + 1, size // 16 + 1, 3)).astype(np.float32)
            field = cv2.resize(coarse, (size, size), interpolation=cv2.INTER_CUBIC)
            crops.append(np.clip(30 + 190 * field + rng.normal(0, 3, field.shape), 0, 255).astype(np.uint8))
        return np.stack(crops)


def test_compress_matches_reference_quantization() -> None:
    rng = np.random.default_rng(0)
    rgb = torch.from_numpy(SmoothPhotos().random_crops(2, 32, rng)).permute(0, 3, 1, 2).double()
    luma, chroma = CompressionSampler().tables(2, rng)
    code = compress(rgb, luma, chroma, (1, 1))
    y = rgb_to_ycbcr(rgb)[:, :1] - 128
    expected = requantize(block_dct(y), torch.as_tensor(luma, dtype=torch.float64))
    assert torch.equal(code.y_q, expected)
    assert code.c_q.shape == (2, 128, 4, 4)


def test_sampler_draws_paper_and_ijg_tables() -> None:
    luma, chroma = CompressionSampler().tables(200, np.random.default_rng(1))
    assert luma.shape == (200, 8, 8) and luma.min() >= 1 and luma.max() <= 255
    assert len({int(t[0, 0]) for t in luma}) > 20  # a spread of qualities


def _pool() -> PatchPool:
    return PatchPool(SmoothPhotos(), 64, 32, torch.device("cpu"), seed=0)


def _code(pool: PatchPool, factor=(2, 2)) -> tuple[torch.Tensor, CodeTensors]:
    rgb = pool.batch(8)
    luma, chroma = CompressionSampler(paper_fraction=1.0).tables(8, np.random.default_rng(2))
    return rgb, compress(rgb, luma, chroma, factor)


def test_luma_and_chroma_phases_reduce_l1() -> None:
    torch.manual_seed(0)
    pool = _pool()
    decoder = JpegDecoder(TINY)
    for phase, key in ((LumaPhase(decoder, lr=3e-3), "l1_luma"), (ChromaPhase(decoder, lr=3e-3), "l1_chroma")):
        rgb, code = _code(pool)
        first = phase.step(rgb, code, 0.0)[key]
        for _ in range(40):
            last = phase.step(rgb, code, 0.0)[key]
        assert last < first * 0.97, (key, first, last)


def test_adversarial_phase_runs_and_keeps_consistency() -> None:
    torch.manual_seed(0)
    pool = _pool()
    decoder = JpegDecoder(TINY)
    phase = AdversarialPhase(decoder, Critic(8, 2), map_steps=2)
    rgb, code = _code(pool)
    report = phase.step(rgb, code, 0.0)
    assert {"critic", "generator_random", "generator_map", "l1_map"} <= set(report)
    assert all(np.isfinite(v) for v in report.values())
    with torch.no_grad():
        out = decoder.eval()(code, torch.randn(code.z_shape))
    assert out["delta_y"].abs().max() < 0.5 and out["delta_c"].abs().max() < 0.5


def _trainer(run: Path, steps: int) -> Trainer:
    torch.manual_seed(0)
    decoder, critic = JpegDecoder(TINY), Critic(8, 2)
    schedule = [
        ScheduledPhase(LumaPhase(decoder), Budget(steps)),
        ScheduledPhase(ChromaPhase(decoder), Budget(steps), saves="faithful"),
        ScheduledPhase(AdversarialPhase(decoder, critic, map_steps=1), Budget(steps), saves="explorable"),
    ]
    return Trainer(decoder, critic, schedule, _pool(), run, "tiny", batch_size=4, patch_size=32, seed=0)


def test_run_writes_models_curves_and_resumes(tmp_path: Path) -> None:
    trainer = _trainer(tmp_path, 3)
    trainer.run()
    for name in ("faithful", "explorable"):
        decoder = load_decoder(name, "tiny", tmp_path / "models")
        assert decoder.size == TINY
    assert (tmp_path / "loss_curves.png").stat().st_size > 1000
    resumed = _trainer(tmp_path, 3)
    assert resumed.resume() and resumed.state.phase_index == 3
    assert [entry["phase"] for entry in resumed.state.log] == ["luma", "chroma", "adversarial"]


def test_interrupted_run_resumes_mid_phase(tmp_path: Path) -> None:
    trainer = _trainer(tmp_path, 4)
    trainer.schedule[0].budget = Budget(2)
    trainer._run_phase(trainer.schedule[0])
    trainer.save()
    again = _trainer(tmp_path, 4)
    assert again.resume()
    assert again.state.step == 2 and again.state.phase_index == 0
    weights = dict(again.decoder.named_parameters())
    for name, value in trainer.decoder.named_parameters():
        assert torch.equal(value, weights[name]), name


@pytest.mark.slow
@pytest.mark.skipif(not torch.distributed.is_available(), reason="torch.distributed missing")
def test_two_process_data_parallel_keeps_ranks_in_step(tmp_path: Path) -> None:
    """torchrun with 2 CPU processes (gloo): gradients are averaged, so both ranks end identical."""
    script = tmp_path / "ddp_run.py"
    script.write_text(f"""
import sys, torch, torch.distributed as dist
sys.path.insert(0, {str(Path(__file__).parent)!r})
from test_training import _trainer
from pathlib import Path
dist.init_process_group("gloo")
trainer = _trainer(Path({str(tmp_path)!r}) / f"rank{{dist.get_rank()}}", 2)
trainer.run()
flat = torch.cat([p.detach().flatten() for p in trainer.decoder.parameters()])
gathered = [torch.zeros_like(flat) for _ in range(2)]
dist.all_gather(gathered, flat)
assert torch.allclose(gathered[0], gathered[1]), "ranks diverged"
if dist.get_rank() == 0:
    print("RANKS-IN-STEP")
dist.destroy_process_group()
""")
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", "29533", str(script)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=Path(__file__).parents[1],
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "RANKS-IN-STEP" in result.stdout
