"""Decoder: networks ψ(X_Q, z) that predict Δ ∈ (−½, ½) per coefficient, and the rendering to RGB."""

from .code_tensors import CodeTensors
from .model import DecoderSize, JpegDecoder
from .registry import ModelNotFoundError, load_decoder

__all__ = ["CodeTensors", "DecoderSize", "JpegDecoder", "ModelNotFoundError", "load_decoder"]
