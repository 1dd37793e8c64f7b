"""A named set of glyph classes and the network that tells them apart."""

from collections.abc import Sequence

from torch import Tensor, nn

from .network import GlyphNet
from .preprocess import luminance, resize_square, standardize


class GlyphClassifier(nn.Module):
    """RGB crops of any size -> logits over `classes`, differentiable w.r.t. the pixels.

    Any colours and either polarity: only luma is used, and each crop is standardized.
    Isoluminant colour pairs (e.g. red on an equally bright green) are invisible to it.
    """

    def __init__(self, classes: Sequence[str], net: GlyphNet, input_size: int = 32) -> None:
        super().__init__()
        if len(classes) != net.head.out_features:
            raise ValueError(f"{len(classes)} class names for a network with {net.head.out_features} outputs")
        self.classes = list(classes)
        self.input_size = input_size
        self.net = net

    def forward(self, images: Tensor) -> Tensor:
        """(N, 3, H, W) float RGB in [0, 255], any H and W -> (N, n_classes) logits."""
        return self.forward_luma(luminance(images))

    def forward_luma(self, luma: Tensor) -> Tensor:
        """(N, 1, H, W) float luma in [0, 255], any H and W -> (N, n_classes) logits."""
        return self.net(standardize(resize_square(luma, self.input_size)))
