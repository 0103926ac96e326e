"""Model: a small CNN for 8x8 grey images: three conv-batchnorm-PReLU blocks, global average
pooling, dropout and a linear classifier (about 57k parameters at width 32).

    python model.py         # prints the layer shapes and the parameter count

Small backbone and small inputs first: make the pipeline right, then grow what the curves ask for.
"""

from __future__ import annotations

import torch
from torch import nn


def conv_block(c_in: int, c_out: int) -> nn.Sequential:
    # No conv bias: the batch norm right after it has its own shift.
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.PReLU(c_out))


class Net(nn.Module):
    def __init__(self, width: int = 32, num_classes: int = 10, dropout: float = 0.1, in_channels: int = 1):
        super().__init__()
        self.features = nn.Sequential(
            conv_block(in_channels, width),  # (N, 1, 8, 8) -> (N, w, 8, 8)
            conv_block(width, 2 * width),  # -> (N, 2w, 8, 8)
            nn.MaxPool2d(2),  # -> (N, 2w, 4, 4)
            conv_block(2 * width, 2 * width),  # -> (N, 2w, 4, 4)
            nn.AdaptiveAvgPool2d(1),  # -> (N, 2w, 1, 1)
            nn.Flatten(),  # -> (N, 2w)
        )
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(2 * width, num_classes))  # -> (N, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (N, 1, 8, 8) standardised pixels -> logits (N, num_classes)."""
        return self.head(self.features(x))


if __name__ == "__main__":
    net = Net()
    x = torch.zeros(2, 1, 8, 8)
    for name, module in net.features.named_children():
        x = module(x)
        print(f"features.{name:3} {type(module).__name__:18} -> {tuple(x.shape)}")
    print(f"head                                -> {tuple(net.head(x).shape)}")
    print(f"{sum(p.numel() for p in net.parameters()):,} parameters")
