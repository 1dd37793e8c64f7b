"""``verify --explain``: what was checked, how much room the file leaves, what verify can and cannot detect."""

from __future__ import annotations

from .report import EncoderFigures, VerificationReport, overall_fraction

CAN_DETECT = (
    "Detects: any change that moves at least one quantized coefficient out of its box under every "
    "encoder that reproduces the original - blurring, sharpening, shifting by a pixel, resampling, "
    "re-saving with other settings, pasted or painted patches larger than the room above."
)
CANNOT_DETECT = (
    "Cannot detect: a change that keeps every coefficient inside its box (a retouch smaller than the "
    "room above verifies, and rightly: the file cannot tell it from the original); whether the image "
    "WAS the source (only that it could have been: every image that verifies is equally consistent); "
    "files from encoders it does not model (camera and hardware encoders with DCTs of their own, "
    "libjpeg-turbo's SIMD float path, smoothing, mozjpeg with other than its default settings), whose "
    "true original can fail."
)


def encoder_line(figures: EncoderFigures) -> str:
    if not figures.applies:
        return f"  - {figures.title}: does not apply ({figures.reason})"
    if figures.reproduces:
        return f"  - {figures.title}: reproduces every coefficient"
    if figures.scope:
        return (
            f"  - {figures.title}: {overall_fraction(figures.components) * 100:.4f}% identical in {figures.scope}; "
            f"{figures.differing()} coefficients differ there"
        )
    saturated = len(figures.saturated_blocks)
    return (
        f"  - {figures.title}: {overall_fraction(figures.components) * 100:.4f}% identical; "
        f"{figures.differing()} coefficients differ in {figures.mismatched_blocks} blocks"
        + (f", {saturated} of them saturated (no in-range image reaches them)" if saturated else "")
    )


def room_lines(figures: EncoderFigures) -> list[str]:
    lines = [
        f"Room the file leaves an image that {figures.name} verifies (margins in quantization steps; "
        "tolerance: the change of one sample of the plane, in levels, that can never move a coefficient "
        "out of its box):"
    ]
    for room in figures.room:
        x, y = room.largest_margin_at
        lines.append(
            f"  {room.component}: block margin smallest {room.smallest_margin:.3f}, median "
            f"{room.median_margin:.3f}, largest {room.largest_margin:.3f} (block at x={x}, y={y}); "
            f"single-sample tolerance smallest {room.smallest_tolerance:.1f}, median "
            f"{room.median_tolerance:.1f}, largest {room.largest_tolerance:.1f} levels"
        )
    return lines


def explanation(report: VerificationReport) -> list[str]:
    """The --explain section, one printable line each."""
    source = report.source
    lines = [
        report.summary(),
        f"Checked: the image re-encoded with the file's own tables (IJG quality estimate "
        f"{source['estimated_ijg_quality']}) and sampling ({source['subsampling']}) by",
    ]
    lines += [encoder_line(figures) for figures in report.encoders]
    if report.untried:
        lines.append("Not tried:")
        lines += [f"  - {entry['title']}: {entry['reason']}" for entry in report.untried]
    for figures in report.encoders:
        if figures.reproduces:
            lines += room_lines(figures)
            break
    lines += [CAN_DETECT, CANNOT_DETECT]
    return lines
