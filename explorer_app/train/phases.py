"""The training phases: each owns its optimizers and makes one step on a batch.

1. LumaPhase (faithful): L1 of the luma plane, z = 0, luminance net alone.
2. ChromaPhase (faithful): L1 of the chroma planes, chroma net fed with the frozen luminance net's output.
3. PriorPhase (explorable): both nets from the faithful weights, trained so that z = 0 stays the faithful
   decode while z ~ N(0, I) gives natural alternatives (a conditional VAE with a posterior encoder; see
   docs/decoder.md).
4. AdversarialPhase: WGAN-GP with the conditional critic + 200·L_range + 0.1·L_map; every batch is fed once
   with a random z and once with z* from 10 Adam steps on L_map (paper 3.3).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Protocol

import torch
import torch.distributed as dist
from torch import nn

from ..decoder.code_tensors import CodeTensors
from ..decoder.model import JpegDecoder, luma_features
from ..decoder.networks import Z_CHANNELS, ControlledLayer
from ..decoder.render import coefficients_to_plane
from ..ops.color import rgb_to_ycbcr
from ..ops.resample import consistent_upsample
from .critic import Critic, gradient_penalty
from .encoder import PosteriorEncoder, kl_per_block, misses, sample_posterior
from .objectives import block_edge_excess, flat_grain_excess, flat_l1, l1, range_loss, search_control

LAMBDA_RANGE, LAMBDA_MAP, LAMBDA_GP = 200.0, 0.1, 10.0


def average_gradients(parameters: Sequence[torch.Tensor]) -> None:
    """Data parallelism across torchrun processes: average every gradient over the ranks.

    Done by hand rather than with DistributedDataParallel because the adversarial phase differentiates
    the generator several times per step, once with respect to z only, which DDP's reducer does not allow.
    """
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return
    grads = [p.grad for p in parameters if p.grad is not None]
    flat = torch.cat([g.flatten() for g in grads])
    dist.all_reduce(flat)
    flat /= dist.get_world_size()
    offset = 0
    for g in grads:
        g.copy_(flat[offset : offset + g.numel()].view_as(g))
        offset += g.numel()


def cosine_lr(optimizer: torch.optim.Optimizer, base: float, progress: float) -> None:
    """Cosine decay from ``base`` to 5% of it as ``progress`` goes 0 → 1."""
    factor = 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))
    for group in optimizer.param_groups:
        group["lr"] = base * factor


def descend(
    optimizer: torch.optim.Optimizer,
    loss: torch.Tensor,
    parameters: list[nn.Parameter],
    base_lr: float,
    progress: float,
) -> None:
    """One optimizer step on ``loss``: fresh gradients, averaged over ranks, cosine-decayed learning rate."""
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    average_gradients(parameters)
    cosine_lr(optimizer, base_lr, progress)
    optimizer.step()


class Phase(Protocol):
    name: str

    @property
    def optimizers(self) -> Mapping[str, torch.optim.Optimizer]:
        """The phase's optimizers by name (checkpointed with the weights)."""
        ...

    def step(self, rgb: torch.Tensor, code: CodeTensors, progress: float) -> dict[str, float]: ...


class LumaPhase:
    name = "luma"

    def __init__(self, decoder: JpegDecoder, lr: float = 2e-4) -> None:
        self.decoder, self.lr = decoder, lr
        self.parameters = list(decoder.luma.parameters())
        self.optimizers = {"luma": torch.optim.Adam(self.parameters, lr=lr)}

    def step(self, rgb: torch.Tensor, code: CodeTensors, progress: float) -> dict[str, float]:
        self.decoder.luma.train()
        z = torch.zeros(code.z_shape, device=rgb.device)
        y = coefficients_to_plane(code.y_q + self.decoder.predict_luma(code, z), code.y_table)
        loss = l1(y, rgb_to_ycbcr(rgb)[:, :1])
        descend(self.optimizers["luma"], loss, self.parameters, self.lr, progress)
        return {"l1_luma": loss.item()}


class ChromaPhase:
    name = "chroma"

    def __init__(self, decoder: JpegDecoder, lr: float = 2e-4) -> None:
        self.decoder, self.lr = decoder, lr
        self.parameters = list(decoder.chroma.parameters())
        self.optimizers = {"chroma": torch.optim.Adam(self.parameters, lr=lr)}

    def step(self, rgb: torch.Tensor, code: CodeTensors, progress: float) -> dict[str, float]:
        self.decoder.luma.eval()
        self.decoder.chroma.train()
        assert code.c_q is not None and code.c_table is not None  # training photos are in colour
        z = torch.zeros(code.z_shape, device=rgb.device)
        with torch.no_grad():
            y_plane = coefficients_to_plane(code.y_q + self.decoder.predict_luma(code, z), code.y_table)
        delta = self.decoder.predict_chroma(code, z, y_plane)
        normalized = code.c_q + delta
        planes = torch.cat(
            [
                coefficients_to_plane(normalized[:, :64], code.c_table[:, :64]),
                coefficients_to_plane(normalized[:, 64:], code.c_table[:, 64:]),
            ],
            1,
        )
        chroma = consistent_upsample(planes, code.chroma_factor)
        loss = l1(chroma, rgb_to_ycbcr(rgb)[:, 1:])
        descend(self.optimizers["chroma"], loss, self.parameters, self.lr, progress)
        return {"l1_chroma": loss.item()}


def control_weights(decoder: JpegDecoder) -> list[torch.Tensor]:
    """The weights through which z acts (the z slice of every controlled layer's convolution) and the learnt
    prior; everything else in the decoder is frozen. The other slices' gradients are masked to zero, so
    z = 0 gives exactly the decoder's output before the phase."""
    for parameter in decoder.parameters():
        parameter.requires_grad_(False)
    weights: list[torch.Tensor] = [] if decoder.prior is None else list(decoder.prior.parameters())
    for prior_weight in weights:
        prior_weight.requires_grad_(True)
    for net in (decoder.luma, decoder.chroma):
        for layer in net.layers:
            assert isinstance(layer, ControlledLayer)
            weight = layer.conv.weight
            mask = torch.zeros_like(weight)
            mask[:, -Z_CHANNELS:] = 1.0
            weight.requires_grad_(True)
            weight.register_hook(lambda grad, mask=mask: grad * mask)
            weights.append(weight)
    return weights


class PriorPhase:
    """Random z made natural and z* made reachable, with z = 0 left exactly at the faithful decode.

    Only the learnt prior and the z slices of the decoder's convolutions learn (see :func:`control_weights`),
    so the view the application opens on stays the faithful (L1) decode. Loss per batch (images on the [0, 1]
    scale, KL in nats per luma block), z_q = μ + σ·ε from the posterior encoder, z_r = s(X_Q)·ε a random z
    of the learnt prior N(0, s²):
        L1(ψ(X_Q, z_q), x) + β·KL(q ‖ N(0, s²)) + λ_range·L_range
        + λ_plausible·L1(ψ(X_Q, z_r), x) + λ_flat·L1_flat(ψ(X_Q, z_r), x)
        + λ_edges·block-edge excess(ψ(X_Q, z_r)) + λ_grain·flat-area grain excess(ψ(X_Q, z_r)),
    L1_flat: L1 in the quarter of pixels where the truth is flattest. A strong L1 everywhere (0.5) made random
    decodes collapse onto the faithful one; the flat-area L1 keeps alternatives out of places the file fixes
    and leaves textured areas free. The prior's s is what lets random z be small where the file fixes the
    content without taking reach from an optimized z (a gate on z inside the nets did, to +0.6 dB).
    β rises linearly from 0 over the first ``warmup`` of the phase: with the full weight from the start, q
    collapsed onto the prior before the decoder had learnt to read z. See docs/decoder.md.
    """

    name = "prior"

    def __init__(
        self,
        decoder: JpegDecoder,
        encoder: PosteriorEncoder,
        beta: float = 1e-4,
        warmup: float = 0.15,
        plausible: float = 0.0,
        flat: float = 1.0,
        edges: float = 4.0,
        grain: float = 12.0,
        lr_decoder: float = 2e-4,
        lr_encoder: float = 3e-4,
    ) -> None:
        self.decoder, self.encoder, self.beta, self.warmup = decoder, encoder, beta, warmup
        self.plausible, self.flat, self.edges, self.grain = plausible, flat, edges, grain
        self.lr_decoder, self.lr_encoder = lr_decoder, lr_encoder
        self.decoder_parameters = control_weights(decoder)
        self.encoder_parameters = list(encoder.parameters())
        self.optimizers = {
            "decoder": torch.optim.Adam(self.decoder_parameters, lr=lr_decoder),
            "encoder": torch.optim.Adam(self.encoder_parameters, lr=lr_encoder),
        }

    def step(self, rgb: torch.Tensor, code: CodeTensors, progress: float) -> dict[str, float]:
        self.decoder.eval()
        self.encoder.train()
        with torch.no_grad():
            guess = self.decoder(code, torch.zeros(code.z_shape, device=rgb.device))
        mean, log_variance = self.encoder(misses(rgb, code, guess.delta_y, guess.delta_c), code)
        image = self.decoder(code, sample_posterior(mean, log_variance)).image
        reconstruction = l1(image, rgb)
        prior_sigma = self.decoder.prior_scale(code)
        kl = kl_per_block(mean, log_variance, prior_sigma)
        random_image = self.decoder(code, prior_sigma * torch.randn(code.z_shape, device=rgb.device)).image
        plausible, flat = l1(random_image, rgb), flat_l1(random_image, rgb)
        edges, grain = block_edge_excess(random_image), flat_grain_excess(random_image, rgb)
        beta = self.beta * min(1.0, progress / self.warmup)
        loss = (
            reconstruction
            + beta * kl
            + LAMBDA_RANGE * (range_loss(image) + range_loss(random_image))
            + self.plausible * plausible
            + self.flat * flat
            + self.edges * edges
            + self.grain * grain
        )
        for optimizer in self.optimizers.values():
            optimizer.zero_grad(set_to_none=True)
        loss.backward()
        average_gradients([*self.decoder_parameters, *self.encoder_parameters])
        cosine_lr(self.optimizers["decoder"], self.lr_decoder, progress)
        cosine_lr(self.optimizers["encoder"], self.lr_encoder, progress)
        for optimizer in self.optimizers.values():
            optimizer.step()
        return {
            "prior_sigma": prior_sigma.mean().item(),
            "l1_zero": l1(guess.image, rgb).item(),
            "l1_posterior": reconstruction.item(),
            "kl_block": kl.item(),
            "l1_random": plausible.item(),
            "l1_random_flat": flat.item(),
            "edge_excess": edges.item() * 255,
            "grain_excess": grain.item() * 255,
        }


class AdversarialPhase:
    name = "adversarial"

    def __init__(
        self,
        decoder: JpegDecoder,
        critic: Critic,
        lr_generator: float = 2e-5,
        lr_critic: float = 1e-4,
        map_steps: int = 10,
        compute_dtype: torch.dtype | None = None,
    ) -> None:
        self.decoder, self.critic, self.map_steps = decoder, critic, map_steps
        self.lr_generator, self.compute_dtype = lr_generator, compute_dtype
        self.generator_parameters = list(decoder.parameters())
        self.critic_parameters = list(critic.parameters())
        self.optimizers = {
            "generator": torch.optim.Adam(self.generator_parameters, lr=lr_generator, betas=(0.5, 0.9)),
            "critic": torch.optim.Adam(self.critic_parameters, lr=lr_critic, betas=(0.5, 0.9)),
        }

    def _critic(self, rgb: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        with torch.autocast(
            rgb.device.type, dtype=self.compute_dtype or torch.float32, enabled=self.compute_dtype is not None
        ):
            return self.critic(rgb, condition).float()

    def step(self, rgb: torch.Tensor, code: CodeTensors, progress: float) -> dict[str, float]:
        self.decoder.train()
        condition = luma_features(code)
        z_star = search_control(self.decoder, code, rgb, self.map_steps)
        z_random = torch.randn(code.z_shape, device=rgb.device)
        with torch.no_grad():
            fakes = [self.decoder(code, z).image for z in (z_random, z_star)]
        critic_loss = torch.zeros((), device=rgb.device)
        for fake in fakes:
            critic_loss = critic_loss + self._critic(fake, condition).mean() - self._critic(rgb, condition).mean()
            critic_loss = critic_loss + LAMBDA_GP * gradient_penalty(self.critic, rgb, fake, condition)
        self.optimizers["critic"].zero_grad(set_to_none=True)
        critic_loss.backward()
        average_gradients(self.critic_parameters)
        self.optimizers["critic"].step()

        generator = self.optimizers["generator"]
        generator.zero_grad(set_to_none=True)
        report: dict[str, float] = {"critic": critic_loss.item()}
        for label, z in (("random", z_random), ("map", z_star)):
            image = self.decoder(code, z).image
            loss = -self._critic(image, condition).mean() + LAMBDA_RANGE * range_loss(image)
            if label == "map":
                map_loss = l1(image, rgb)
                loss = loss + LAMBDA_MAP * map_loss
                report["l1_map"] = map_loss.item()
            loss.backward()
            report[f"generator_{label}"] = loss.item()
        for p in self.critic_parameters:
            p.grad = None
        average_gradients(self.generator_parameters)
        cosine_lr(generator, self.lr_generator, progress)
        generator.step()
        return report
