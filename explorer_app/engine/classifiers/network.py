"""The small convolutional network behind every glyph classifier."""

from collections.abc import Mapping

from torch import Tensor, nn


class ConvBlock(nn.Module):
    """3×3 convolution, batch norm, SiLU: (N, c_in, H, W) -> (N, c_out, H, W)."""

    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, kernel_size=3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(c_out)
        self.act = nn.SiLU()

    def forward(self, x: Tensor) -> Tensor:
        return self.act(self.bn(self.conv(x)))


class GlyphNet(nn.Module):
    """(N, 1, S, S) standardized luma -> (N, n_classes) logits; S divisible by 4 (32 in practice).

    One block at full resolution, two at S/2, two at S/4, global average pooling, a linear head.
    SiLU keeps the input gradient smooth for gradient ascent.
    """

    def __init__(self, n_classes: int, widths: tuple[int, int, int] = (16, 48, 96), dropout: float = 0.1) -> None:
        super().__init__()
        c1, c2, c3 = widths
        self.stem = ConvBlock(1, c1)
        self.mid1 = ConvBlock(c1, c2)
        self.mid2 = ConvBlock(c2, c2)
        self.low1 = ConvBlock(c2, c3)
        self.low2 = ConvBlock(c3, c3)
        self.pool = nn.MaxPool2d(2)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(c3, n_classes)

    @classmethod
    def from_state_dict(cls, state: Mapping[str, Tensor]) -> "GlyphNet":
        """Build a network whose widths and class count are read off the weights, then load them."""
        widths = (
            state["stem.conv.weight"].shape[0],
            state["mid1.conv.weight"].shape[0],
            state["low1.conv.weight"].shape[0],
        )
        net = cls(n_classes=state["head.weight"].shape[0], widths=widths)
        net.load_state_dict(state)
        return net

    def forward(self, x: Tensor) -> Tensor:
        x = self.pool(self.stem(x))
        x = self.pool(self.mid2(self.mid1(x)))
        x = self.low2(self.low1(x))
        return self.head(self.dropout(x.mean(dim=(2, 3))))
