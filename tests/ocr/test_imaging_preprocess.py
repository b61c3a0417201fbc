"""Document finding, perspective correction, size and contrast normalisation, orientation."""

from __future__ import annotations

import numpy as np
import pytest

from reimburse.ocr.imaging.orientation import detect_orientation, rotate
from reimburse.ocr.imaging.preprocess import (
    MIN_LONG_SIDE,
    WORK_LONG_SIDE,
    find_document_quad,
    prepare,
    resize_long_side,
    stretch_contrast,
)
from tests.ocr.imaging_helpers import page, photo


def test_photographed_page_is_found_and_flattened() -> None:
    sheet = page()
    shot, corners = photo(sheet)
    quad = find_document_quad(shot)
    assert quad is not None
    # Every corner within 1.5% of the frame's long side of the truth.
    assert np.abs(quad - corners).max() < 0.015 * max(shot.shape[:2])
    prepared = prepare(shot)
    height, width = prepared.image.shape[:2]
    assert max(height, width) == WORK_LONG_SIDE
    # The flattened page has the sheet's proportions (perspective undone), within 4%.
    assert width / height == pytest.approx(sheet.shape[1] / sheet.shape[0], rel=0.04)
    # And it is the page, not the desk: the border rows are paper-white.
    assert prepared.image[5, width // 2].min() > 180


def test_clean_render_geometry_is_left_alone() -> None:
    sheet = page()
    assert find_document_quad(sheet) is None
    prepared = prepare(sheet)
    assert prepared.quad is None
    assert prepared.image.shape == sheet.shape  # 1400 px is inside the working range
    assert np.array_equal(prepared.image, sheet)


def test_table_frame_on_white_paper_is_not_taken_for_the_page() -> None:
    # A scan: paper fills the frame, the printed table frame is a big dark rectangle.
    sheet = page(with_qr=False, frame=True)
    assert find_document_quad(sheet) is None


def test_page_filling_the_photo_is_left_alone() -> None:
    sheet = page()
    framed = np.full((sheet.shape[0] + 20, sheet.shape[1] + 20, 3), 70, np.uint8)
    framed[10:-10, 10:-10] = sheet  # a dark hairline border: ~the whole image
    assert find_document_quad(framed) is None


@pytest.mark.parametrize(
    ("shape", "expected_long"),
    [((3000, 4000), WORK_LONG_SIDE), ((600, 900), MIN_LONG_SIDE), ((1000, 1500), 1500)],
)
def test_resize_long_side(shape: tuple[int, int], expected_long: int) -> None:
    image = np.full((*shape, 3), 200, np.uint8)
    resized, scale = resize_long_side(image, WORK_LONG_SIDE)
    assert max(resized.shape[:2]) == expected_long
    assert scale == pytest.approx(expected_long / max(shape), rel=1e-3)


def test_washed_out_photo_gets_contrast_and_clean_page_does_not_change() -> None:
    sheet = page()
    washed = (sheet.astype(np.float32) * 0.35 + 140).astype(np.uint8)  # grey ink on grey paper
    stretched = stretch_contrast(washed)
    assert int(stretched.max()) - int(stretched.min()) > 200
    assert np.array_equal(stretch_contrast(sheet), sheet)


@pytest.mark.parametrize("degrees", [0, 90, 180, 270])
def test_orientation_is_recovered(degrees: int) -> None:
    turned = rotate(page(), degrees)
    found = detect_orientation(turned)
    assert (degrees + found.rotation) % 360 == 0
    assert found.votes > 0


@pytest.mark.parametrize(
    ("w", "h", "ok"), [(1800, 212, False), (212, 1800, False), (800, 2000, True), (2000, 1200, True)]
)
def test_a_strip_of_the_page_is_not_taken_for_the_page(w: int, h: int, ok: bool) -> None:
    # a narrow taxi receipt once gave a 1800x212 "page": one printed column, rest thrown away
    from reimburse.ocr.imaging.preprocess import _plausible

    quad = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    assert _plausible(quad) is ok


@pytest.mark.parametrize(("spread", "is_edge"), [(0.0, True), (0.25, False)])
def test_an_outline_side_must_be_a_sharp_step_not_a_shading_ramp(spread: float, is_edge: bool) -> None:
    # A page filling the frame with its lower part in the phone's shadow: an Otsu mask of the
    # bright part has four corners, but its lower side is a soft ramp, not the paper's edge
    # (warping to it cut the seller's block off a real photo). A real edge is a sharp step.
    from reimburse.ocr.imaging.preprocess import _sides_are_edges

    height, width = 376, 640
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    edge = height * (0.55 + 0.3 * xx / width)
    ramp = (yy - edge) / (spread * height) + 0.5 if spread else (yy > edge).astype(np.float32)
    dark = np.clip(ramp, 0, 1)
    grey = (230 - 150 * dark).astype(np.uint8)
    quad = np.array([[0, 0], [width - 1, 0], [width - 1, 0.85 * height], [0, 0.55 * height]], np.float32)
    assert _sides_are_edges(grey, quad) is is_edge


@pytest.mark.parametrize(("printed", "is_edge"), [(0.0, True), (0.5, True), (0.7, False)])
def test_print_up_to_the_papers_edge_does_not_hide_the_edge(printed: float, is_edge: bool) -> None:
    # A fapiao prints its code in the top margin, a few pixels from the paper's edge at the
    # page finder's scale: where the sample just inside lands on print, it reads darker than
    # the desk, which says nothing either way. Most of a side must still show paper.
    from reimburse.ocr.imaging.preprocess import _sides_are_edges

    grey = np.full((376, 640), 90, np.uint8)  # the desk
    grey[100:300, 150:500] = 235  # the paper
    grey[102:106, 150 : 150 + round(350 * printed)] = 30  # print along the top edge, inside
    quad = np.array([[150, 100], [499, 100], [499, 299], [150, 299]], np.float32)
    assert _sides_are_edges(grey, quad) is is_edge
