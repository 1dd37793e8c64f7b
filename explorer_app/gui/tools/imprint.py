"""The Imprint tool: place a picture (a file, or a piece of this image) with the gizmo; the engine
projects it onto the quantization boxes before z is optimized towards it."""

from __future__ import annotations

import numpy as np
from PIL import Image
from PyQt6.QtCore import QPointF
from PyQt6.QtGui import QPixmap
from PyQt6.QtWidgets import (
    QFileDialog,
    QLabel,
    QSpinBox,
)

from ...engine.regions import Region, brush
from ...engine.tools import Imprint, Tool
from ..canvas.images import to_qimage
from ..canvas.interactions import PointPick
from ..widgets.buttons import command_button
from .base import ToolPanel, slider
from .host import ToolHost
from .imprint_gizmo import ImprintGizmo


class ImprintPanel(ToolPanel):
    title, icon_name, tip, shortcut = (
        "Imprint",
        "imprint",
        "Imprint a picture (a file or a piece of this image)",
        "Shift+I",
    )

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self.picture: np.ndarray | None = None
        self.position: tuple[float, float] | None = None
        self.preview_position = QPointF()
        self.scale = slider(0.1, 4, 1.0, "Scale of the imprinted picture", 2)
        self.angle = slider(-180, 180, 0, "Rotation in degrees (anticlockwise)", 0)
        self.search = QSpinBox()
        self.search.setRange(0, 16)
        self.search.setToolTip(
            "Auto-placement: try every shift up to this many pixels and keep the one the "
            "file contradicts least (0: exactly where placed)"
        )
        self.form.addRow("Scale", self.scale)
        self.form.addRow("Angle (°)", self.angle)
        self.form.addRow("Auto-place ± px", self.search)
        load = command_button("open", "Load picture…", "Imprint an image file", self.ask_picture)
        copy = command_button(
            "imitate", "Copy the selection", "Imprint the selected piece of the current image", self.copy_selection
        )
        self.place_button = command_button(
            "imprint",
            "Click to place",
            "Click where the picture's centre should go; then drag the picture, its corner grip (scale) "
            "or the grip above it (rotation)",
            lambda: host.canvas.set_interaction(PointPick(), self.place),
        )
        self.summary = QLabel("No picture yet")
        self.summary.setWordWrap(True)
        for widget in (load, copy, self.place_button, self.summary):
            self.extra.addWidget(widget)
        self.preview = ImprintGizmo()
        self.preview.moved.connect(self.move_to)
        self.preview.reshaped.connect(self.reshape)
        host.canvas.scene().addItem(self.preview)
        for control in (self.scale, self.angle):
            control.valueChanged.connect(self._update_preview)

    def ask_picture(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Picture to imprint", "", "Images (*.png *.jpg *.jpeg *.bmp)")
        if name:
            with Image.open(name) as image:
                self.set_picture(np.asarray(image.convert("RGB"), dtype=np.float32))

    def copy_selection(self) -> None:
        region = self.host.selection()
        if region is None:
            self.summary.setText("Select the piece to copy first")
            return
        self.set_picture(self.host.file_pixels(region))
        self.host.clear_selection()

    def set_picture(self, picture: np.ndarray) -> None:
        self.picture = picture
        self.summary.setText(f"Picture {picture.shape[1]}×{picture.shape[0]} px; click to place it")
        pixels = np.clip(np.round(picture), 0, 255).astype(np.uint8)
        self.preview.set_pixmap(QPixmap.fromImage(to_qimage(pixels)))
        self._update_preview()

    def place(self, pos: QPointF) -> None:
        """A click put the picture's centre at ``pos``; from now on the picture and its grips are dragged
        directly (the canvas goes back to panning, where drags reach them)."""
        self.move_to(pos)
        self.host.pan()
        self.summary.setText(
            "Drag the picture to move it, its corner grip to scale it, the grip above it to rotate it; then Apply"
        )

    def move_to(self, pos: QPointF) -> None:
        self.position = self.host.to_file_point(pos)
        self.preview_position = pos
        self._update_preview()

    def reshape(self, scale: float, angle: float) -> None:
        """A grip was dragged: the sliders follow (and they redraw the preview)."""
        self.scale.setValue(scale)
        self.angle.setValue(angle)

    def _update_preview(self) -> None:
        shown = self.picture is not None and self.position is not None
        self.preview.setVisible(shown)
        if shown:
            self.preview.set_placement(self.preview_position, self.scale.value(), self.angle.value())

    def region(self) -> Region | None:
        """The selection, or else the placed picture's footprint (with the auto-placement margin)."""
        selected = self.host.selection()
        if selected is not None or self.picture is None or self.position is None:
            return selected
        radius = 0.5 * self.scale.value() * float(np.hypot(*self.picture.shape[:2])) + self.search.value()
        return brush(self.host.open_session().shape, [self.position], radius)

    def make_tool(self) -> Tool | None:
        if self.picture is None or self.position is None:
            self.message.setText("Load or copy a picture and click where it goes.")
            return None
        self.preview.setVisible(False)
        return Imprint(
            self.picture,
            self.position,
            scale=self.scale.value(),
            angle=self.angle.value(),
            search_radius=self.search.value(),
        )
