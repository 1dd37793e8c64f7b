"""Real handwritten digits as glyph masks: scikit-learn's 8×8 set and OpenCV's digits.png."""

from pathlib import Path

import cv2
import numpy as np

INK_THRESHOLD = 0.1  # coverage below this is paper when cropping to the ink
SKLEARN_UPSCALE = 4  # 8×8 -> 32×32 before cropping
OPENCV_CELL = 20  # px, digits.png is a 50×100 grid of 20×20 cells, five rows per digit
OPENCV_VALIDATION_COLUMNS = 20  # the last 20 columns (100 samples per digit) are held out
SKLEARN_VALIDATION_EVERY = 5  # every 5th sample is held out


def crop_to_ink(mask: np.ndarray) -> np.ndarray:
    """(h, w) coverage in [0, 1] -> the smallest crop holding every pixel above INK_THRESHOLD."""
    rows = np.flatnonzero((mask > INK_THRESHOLD).any(axis=1))
    cols = np.flatnonzero((mask > INK_THRESHOLD).any(axis=0))
    return mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def sklearn_digits(validation: bool) -> tuple[list[np.ndarray], list[int]]:
    """Masks (float32 coverage in [0, 1]) and labels 0–9 of scikit-learn's bundled digits."""
    from sklearn.datasets import load_digits

    data = load_digits()
    masks, labels = [], []
    for i, (image, label) in enumerate(zip(data.images, data.target, strict=True)):
        if (i % SKLEARN_VALIDATION_EVERY == SKLEARN_VALIDATION_EVERY - 1) != validation:
            continue
        size = 8 * SKLEARN_UPSCALE
        big = cv2.resize((image / 16.0).astype(np.float32), (size, size), interpolation=cv2.INTER_CUBIC)
        masks.append(crop_to_ink(np.clip(big, 0.0, 1.0)))
        labels.append(int(label))
    return masks, labels


def opencv_digits(path: Path, validation: bool) -> tuple[list[np.ndarray], list[int]]:
    """Masks and labels of OpenCV's digits.png (5000 handwritten digits, 500 per class)."""
    sheet = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if sheet is None or sheet.shape != (50 * OPENCV_CELL, 100 * OPENCV_CELL):
        raise ValueError(f"{path} is not OpenCV's 2000×1000 digits.png")
    columns = range(100 - OPENCV_VALIDATION_COLUMNS, 100) if validation else range(100 - OPENCV_VALIDATION_COLUMNS)
    masks, labels = [], []
    for row in range(50):
        for col in columns:
            cell = sheet[row * OPENCV_CELL : (row + 1) * OPENCV_CELL, col * OPENCV_CELL : (col + 1) * OPENCV_CELL]
            masks.append(crop_to_ink(cell.astype(np.float32) / 255.0))
            labels.append(row // 5)
    return masks, labels
