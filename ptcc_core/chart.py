"""The estimate chart: the user's band against the article's experience tiers and the national
typical range, as a PNG sized and lettered to be read on a phone.

Drawn by hand with Pillow. matplotlib drew it before, but took about 40 MB and half a second
to import and about 11 ms a chart, too much for the bot's memory budget, and it had to live in
a worker process of its own. The chart is a fixed layout of a few bars, so it needs no
plotting library: rectangles, lines, a diamond and Pillow's embedded antialiased font
(`ImageFont.load_default(size=...)`, FreeType: no font file to ship).

Everything but the user's band is the same on every chart, so it is drawn once per axis range
and kept (`ChartPainter`, a few backgrounds at most): the strip the band goes in, in full
colour, and the picture's rows above and below it, already compressed. A chart copies the
strip, draws the band, its label and the most likely figure on it, and compresses only the
strip's rows; the PNG is the kept rows and those joined. Pillow's own PNG saver would compress
the whole picture for every chart, about 3 ms of the 4.5 a chart took with it; no library joins
kept compressed rows, so the few lines that write the PNG are here. Its 64 colours are a fixed
palette (the few flat colours and the ramps the antialiased text and diamond need), so a strip
maps to the same indices as the whole picture would: a chart on a kept background is byte for
byte the chart drawn afresh.

A painter is not thread-safe; the bot uses it from one worker thread.
"""

from __future__ import annotations

import math
import struct
import zlib

from PIL import Image, ImageDraw, ImageFont

from ptcc_core.factors import SalaryFactors

_WHITE = (255, 255, 255)
_INK = (0, 0, 0)
_GRID = (231, 231, 231)
_GREY = (0xC9, 0xD3, 0xDD)
_YOU = (0x1F, 0x7A, 0x5C)
_MID = (0x0B, 0x3D, 0x2E)
_TITLE = "Your estimate against the article's pay ranges"
_X_LABEL = "Annual pay, thousands of US dollars"
_YOUR_ROW = "Your estimate"

_WIDTH, _HEIGHT = 840, 504
# The plotting area, in pixels: the labels of the rows sit left of it, the axis labels below.
_LEFT, _RIGHT, _TOP, _BOTTOM = 168, 815, 50, 438
_TICK = 6  # tick length; labels sit as far again from the tick's end
_X_LABEL_DROP = 24  # pixels from the tick labels' baseline down to the axis label's
_TITLE_TOP = 25  # pixels from the picture's top to the title's capitals
_BAR = 0.6  # a bar's height, in rows
_LABEL_GAP = 0.8  # thousands between a bar's end and its "$Xk-$Yk" label
_MARK_RISE = 29  # pixels from the band's centre up to the "most likely" label's baseline
_DIAMOND = 13  # the most likely figure's diamond: pixels from its centre to a corner
_TEXT_SIZE, _TITLE_SIZE = 18, 22
_BOLD_STROKE, _BOLD_SPACING = 0.5, 1  # pixels: the faux bold's stroke, and its letters' spread

# Axis ranges are rounded out to this many thousands, so most estimates share a background.
_RANGE_STEP = 10
_MAX_BACKGROUNDS = 8
_COLOURS = 64
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ZLIB_HEADER = b"\x78\xda"  # deflate, 32 KB window, best compression
_ROW = _WIDTH + 1  # bytes in a PNG row: its filter type, then a palette index a pixel
# A background's rows are compressed once, as hard as zlib can. A chart's strip is compressed
# for every chart: zlib's default level takes about 0.4 ms there, the best eight times that
# for 4% fewer bytes.
_STRIP_LEVEL = 6


def _font(size: int) -> ImageFont.FreeTypeFont:
    font = ImageFont.load_default(size=size)
    if not isinstance(font, ImageFont.FreeTypeFont):
        raise RuntimeError("Pillow was built without FreeType: the chart cannot be lettered")
    return font


def _ramp(start: tuple[int, int, int], end: tuple[int, int, int], steps: int) -> list[int]:
    """`steps` colours from start to end, both included, as flat RGB values."""
    flat: list[int] = []
    for step in range(steps):
        share = step / (steps - 1)
        flat.extend(round(a + (b - a) * share) for a, b in zip(start, end, strict=True))
    return flat


def _rows(indexed: Image.Image) -> bytes:
    """A palette image's rows as a PNG stores them: each after its filter type, 0 (none, as
    the PNG specification advises for palette images)."""
    raw = indexed.tobytes()
    return b"".join(b"\0" + raw[start : start + _WIDTH] for start in range(0, len(raw), _WIDTH))


def _deflate(data: bytes, level: int, end: int) -> bytes:
    """Raw deflate blocks of `data`. Ended by a full flush they hold no reference to what
    comes before them, so kept blocks and new ones join into one stream."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(end)


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(data, zlib.crc32(kind))
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _range(low: float, high: float) -> str:
    return f"${low:.0f}k-${high:.0f}k"


class _Kit:
    """What every chart of a painter draws with: fonts, the palette, the marker, bold letters."""

    def __init__(self) -> None:
        self.text, self.title = _font(_TEXT_SIZE), _font(_TITLE_SIZE)
        # Text is placed by its baseline, a cap height below the point it is centred on.
        self.cap = -self.text.getbbox("0", anchor="ls")[1]
        self.palette = Image.new("P", (1, 1))
        flat = [
            *_ramp(_INK, _WHITE, 37),  # black text on white, and the axes
            *_ramp(_MID, _WHITE, 16),  # the "most likely" label; a diamond off a narrow band
            *_ramp(_MID, _YOU, 8),  # the diamond's edge on the band
            *_GRID,
            *_GREY,
            *_YOU,
        ]
        assert len(flat) == 3 * _COLOURS
        self.palette.putpalette(flat)
        header = struct.pack(">IIBBBBB", _WIDTH, _HEIGHT, 8, 3, 0, 0, 0)  # 8-bit palette
        self.png_head = _PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"PLTE", bytes(flat))
        # The diamond's coverage, antialiased: drawn four times as large, then shrunk.
        scale, side = 4, 2 * _DIAMOND + 1
        big = Image.new("L", (side * scale, side * scale), 0)
        c, r = side * scale / 2, _DIAMOND * scale
        ImageDraw.Draw(big).polygon([(c, c - r), (c + r, c), (c, c + r), (c - r, c)], fill=255)
        self.diamond = big.resize((side, side), Image.Resampling.BOX)
        self._bold: dict[str, tuple[Image.Image, int, int]] = {}

    def indexed(self, image: Image.Image) -> Image.Image:
        """The picture in the palette's colours, each pixel its nearest: no dithering, so a
        part of a picture maps exactly as it would in the whole."""
        return image.quantize(palette=self.palette, dither=Image.Dither.NONE)

    def bold_letter(self, letter: str) -> tuple[Image.Image, int, int]:
        """A letter's coverage in a faux bold (Pillow's embedded font has no bold face: a thin
        stroke thickens it), and where its top left lies from its origin on the baseline.
        Drawn once: a chart's label uses a dozen of the same few letters."""
        kept = self._bold.get(letter)
        if kept is None:
            box = self.text.getbbox(letter, anchor="ls", stroke_width=_BOLD_STROKE)
            left, top = math.floor(box[0]), math.floor(box[1])
            right, bottom = math.ceil(box[2]), math.ceil(box[3])
            mask = Image.new("L", (right - left, bottom - top), 0)
            ImageDraw.Draw(mask).text(
                (-left, -top),
                letter,
                fill=255,
                font=self.text,
                anchor="ls",
                stroke_width=_BOLD_STROKE,
                stroke_fill=255,
            )
            kept = self._bold[letter] = (mask, left, top)
        return kept


class _Layout:
    """Where values and rows fall on the picture, for one axis range."""

    def __init__(self, rows: int, xlim: tuple[int, int]) -> None:
        self.lo, self.hi = xlim
        # `rows` counts the article's and the user's; 0.6 of a row below the lowest row's
        # centre and above the highest one's.
        self.row_height = (_BOTTOM - _TOP) / (rows + 0.2)

    def x(self, thousands: float) -> float:
        return _LEFT + (thousands - self.lo) / (self.hi - self.lo) * (_RIGHT - _LEFT)

    def y(self, row: int) -> float:
        """The centre of a row; row 0, the user's, is the lowest."""
        return _BOTTOM - (row + 0.6) * self.row_height

    def bar(self, row: int, low: float, high: float) -> tuple[int, int, int, int]:
        half = _BAR / 2 * self.row_height
        centre = self.y(row)
        # Whole pixels: bars with crisp edges, and Pillow's rectangles include both ends.
        return (
            round(self.x(low)),
            round(centre - half),
            round(self.x(high)) - 1,
            round(centre + half) - 1,
        )


class _Painter:
    """Draws on a picture whose top is `top` pixels down the whole chart."""

    def __init__(self, image: Image.Image, top: int, kit: _Kit) -> None:
        self.image, self.top, self.kit = image, top, kit
        self.draw = ImageDraw.Draw(image)

    def text(
        self,
        at: tuple[float, float],
        words: str,
        anchor: str = "ls",
        font: ImageFont.FreeTypeFont | None = None,
    ) -> None:
        x, y = at
        self.draw.text(
            (round(x), round(y) - self.top),
            words,
            fill=_INK,
            font=font or self.kit.text,
            anchor=anchor,
        )

    def centred_line(self, x: float, centre: float, words: str, anchor: str = "ls") -> None:
        """One line of text whose capitals are centred vertically on `centre`."""
        self.text((x, centre + self.kit.cap / 2), words, anchor=anchor)

    def bold_centred(self, at: tuple[float, float], words: str, fill: tuple[int, int, int]) -> None:
        """Text in a faux bold centred on `at` (its baseline): the letters move apart by as
        much as their stroke thickens them, keeping the font's kerning."""
        font = self.kit.text
        width = font.getlength(words) + (len(words) - 1) * _BOLD_SPACING
        x, y = at[0] - width / 2, round(at[1]) - self.top
        for number, letter in enumerate(words):
            if not letter.isspace():
                mask, left, top = self.kit.bold_letter(letter)
                origin = round(x + font.getlength(words[:number]) + number * _BOLD_SPACING)
                corner = (origin + left, y + top)
                self.image.paste(
                    fill, (*corner, corner[0] + mask.width, corner[1] + mask.height), mask
                )


class _Background:
    """One axis range's picture with everything but the user's band, kept as drawn."""

    def __init__(
        self, rows: list[tuple[str, float, float]], xlim: tuple[int, int], kit: _Kit
    ) -> None:
        self.layout = layout = _Layout(len(rows) + 1, xlim)
        self.kit = kit
        rgb = Image.new("RGB", (_WIDTH, _HEIGHT), _WHITE)
        paint = _Painter(rgb, 0, kit)
        draw, cap = paint.draw, kit.cap
        # Grid lines first, so bars and labels lie over them.
        ticks = range(xlim[0], xlim[1] + 1, _RANGE_STEP)
        for tick in ticks:
            x = round(layout.x(tick))
            draw.line([(x, _TOP), (x, _BOTTOM)], fill=_GRID)
        labels = [_YOUR_ROW]
        for row, (label, low, high) in enumerate(rows, start=1):
            draw.rectangle(layout.bar(row, low, high), fill=_GREY)
            paint.centred_line(layout.x(high + _LABEL_GAP), layout.y(row), _range(low, high))
            labels.append(label)
        # The rows' names, right-aligned left of the axis; lines 1.2 letters apart.
        pitch = round(1.2 * _TEXT_SIZE)
        for row, label in enumerate(labels):
            lines = label.split("\n")
            for number, line in enumerate(lines):
                centre = layout.y(row) + (number - (len(lines) - 1) / 2) * pitch
                paint.centred_line(_LEFT - 2 * _TICK, centre, line, anchor="rs")
            y = round(layout.y(row))
            draw.line([(_LEFT - _TICK, y), (_LEFT - 1, y)], fill=_INK)
        tick_baseline = _BOTTOM + 2 * _TICK + cap
        for tick in ticks:
            x = round(layout.x(tick))
            draw.line([(x, _BOTTOM + 1), (x, _BOTTOM + _TICK)], fill=_INK)
            paint.text((x, tick_baseline), f"{tick}", anchor="ms")
        draw.line([(_LEFT, _TOP), (_LEFT, _BOTTOM)], fill=_INK)
        draw.line([(_LEFT, _BOTTOM), (_RIGHT, _BOTTOM)], fill=_INK)
        middle = (_LEFT + _RIGHT) / 2
        paint.text((middle, tick_baseline + _X_LABEL_DROP), _X_LABEL, anchor="ms")
        title_cap = -kit.title.getbbox("Y", anchor="ls")[1]
        paint.text((_LEFT, _TITLE_TOP + title_cap), _TITLE, font=kit.title)
        # The strip a chart draws on: from the top of the "most likely" label to the band's
        # bottom edge, the full width (the band's label goes right of it).
        centre = layout.y(0)
        ascent = -math.floor(kit.text.getbbox("kl$", anchor="ls", stroke_width=_BOLD_STROKE)[1])
        self.strip_top = math.floor(centre - _MARK_RISE - ascent - 2)
        strip_bottom = layout.bar(0, 0, 1)[3] + 2
        # Kept: in full colour only the strip, where the band's antialiased edges are blended
        # with what lies beneath; above and below it, the PNG's rows compressed once.
        self.strip = rgb.crop((0, self.strip_top, _WIDTH, strip_bottom))
        scanlines = _rows(kit.indexed(rgb))
        above = scanlines[: self.strip_top * _ROW]
        below = scanlines[strip_bottom * _ROW :]
        self.above = _deflate(above, zlib.Z_BEST_COMPRESSION, zlib.Z_FULL_FLUSH)
        self.above_adler = zlib.adler32(above)
        self.below = _deflate(below, zlib.Z_BEST_COMPRESSION, zlib.Z_FINISH)
        self.below_rows = below  # for the checksum, which runs over every row

    def png(self, low: float, mid: float, high: float) -> bytes:
        layout, top, kit = self.layout, self.strip_top, self.kit
        strip = self.strip.copy()
        paint = _Painter(strip, top, kit)
        x0, y0, x1, y1 = layout.bar(0, low, high)
        paint.draw.rectangle((x0, y0 - top, x1, y1 - top), fill=_YOU)
        centre = layout.y(0)
        paint.centred_line(layout.x(high + _LABEL_GAP), centre, _range(low, high))
        # The diamond's centre is the middle of the pixel its figure falls in.
        x, y = math.floor(layout.x(mid)) - _DIAMOND, math.floor(centre) - _DIAMOND - top
        side = kit.diamond.width
        strip.paste(_MID, (x, y, x + side, y + side), kit.diamond)
        paint.bold_centred((layout.x(mid), centre - _MARK_RISE), f"most likely ${mid:.1f}k", _MID)
        rows = _rows(kit.indexed(strip))
        checksum = zlib.adler32(self.below_rows, zlib.adler32(rows, self.above_adler))
        pixels = b"".join(
            (
                _ZLIB_HEADER,
                self.above,
                _deflate(rows, _STRIP_LEVEL, zlib.Z_FULL_FLUSH),
                self.below,
                struct.pack(">I", checksum),
            )
        )
        return b"".join((kit.png_head, _chunk(b"IDAT", pixels), _chunk(b"IEND", b"")))


class ChartPainter:
    """Draws estimate charts for one set of salary factors, reusing their backgrounds."""

    def __init__(self, factors: SalaryFactors) -> None:
        self._rows = [
            (f"{t.label}\n{t.article_years}", t.low / 1000, t.high / 1000)
            for t in factors.experience.tier
        ]
        national = factors.national
        self._rows.append(
            ("National typical", national.typical_low / 1000, national.typical_high / 1000)
        )
        self._rows.reverse()
        self._kit = _Kit()
        self._backgrounds: dict[tuple[int, int], _Background] = {}

    def png(self, low: int, mid: int, high: int) -> bytes:
        """A PNG of a band (annual USD) and its most likely figure among the article's ranges."""
        lows = [r[1] for r in self._rows] + [low / 1000]
        highs = [r[2] for r in self._rows] + [high / 1000]
        # Room on the left for the bars, on the right for the "$Xk-$Yk" labels.
        left = math.floor((min(lows) - 4) / _RANGE_STEP) * _RANGE_STEP
        right = math.ceil((max(highs) + 14) / _RANGE_STEP) * _RANGE_STEP
        key = (left, right)
        background = self._backgrounds.get(key)
        if background is None:
            if len(self._backgrounds) >= _MAX_BACKGROUNDS:
                self._backgrounds.pop(next(iter(self._backgrounds)))
            background = self._backgrounds[key] = _Background(self._rows, key, self._kit)
        return background.png(low / 1000, mid / 1000, high / 1000)
