"""Resumable training checkpoints in safetensors (no pickle): module and optimizer tensors, plus a JSON
header with the schedule position and the loss history."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch import nn


def _optimizer_tensors(prefix: str, optimizer: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], dict]:
    state = optimizer.state_dict()
    tensors = {
        f"{prefix}.{index}.{key}": value.detach().cpu().contiguous()
        for index, entries in state["state"].items()
        for key, value in entries.items()
    }
    return tensors, {"param_groups": state["param_groups"], "indices": list(state["state"].keys())}


def save_checkpoint(
    path: Path, modules: dict[str, nn.Module], optimizers: dict[str, torch.optim.Optimizer], header: dict
) -> None:
    """Write every module's state and every optimizer's state to ``path`` (atomically)."""
    tensors: dict[str, torch.Tensor] = {}
    for name, module in modules.items():
        tensors.update({f"module.{name}.{k}": v.detach().cpu().contiguous() for k, v in module.state_dict().items()})
    groups = {}
    for name, optimizer in optimizers.items():
        part, groups[name] = _optimizer_tensors(f"optimizer.{name}", optimizer)
        tensors.update(part)
    temporary = path.with_suffix(".partial")
    save_file(tensors, str(temporary), metadata={"header": json.dumps(header), "optimizers": json.dumps(groups)})
    temporary.replace(path)


def load_checkpoint(
    path: Path, modules: dict[str, nn.Module], optimizers: dict[str, torch.optim.Optimizer], device: torch.device
) -> dict:
    """Restore what :func:`save_checkpoint` wrote into ``modules`` and ``optimizers``; return the header."""
    from safetensors import safe_open

    tensors = load_file(str(path), device=str(device))
    with safe_open(str(path), "pt") as handle:
        metadata = handle.metadata()
    for name, module in modules.items():
        prefix = f"module.{name}."
        module.load_state_dict({k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)})
    groups = json.loads(metadata["optimizers"])
    for name, optimizer in optimizers.items():
        if name not in groups:
            continue
        prefix = f"optimizer.{name}."
        state: dict[int, dict[str, torch.Tensor]] = {int(i): {} for i in groups[name]["indices"]}
        for key, value in tensors.items():
            if key.startswith(prefix):
                index, field = key[len(prefix) :].split(".", 1)
                state[int(index)][field] = value
        optimizer.load_state_dict({"state": state, "param_groups": groups[name]["param_groups"]})
    return json.loads(metadata["header"])
