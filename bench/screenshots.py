#!/usr/bin/env python3
"""Writes N screenshot-like PNGs (flat panels, lines of "text", 1920 x 1080 by default) for
bench/images. Pure Python (zlib): each row is built from runs, and rows repeat as in a real
screenshot, so it takes well under a second per image."""
import random
import struct
import sys
import zlib


def png(path, width, height, rows):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + row for row in rows)
    with open(path, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n")
        out.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))
        out.write(chunk(b"IDAT", zlib.compress(raw, 6)))
        out.write(chunk(b"IEND", b""))


def screenshot(seed, width, height):
    rng = random.Random(seed)
    bg = bytes([243, 243, 243])
    panel = bytes([255, 255, 255])
    ink = bytes([rng.randrange(20, 60)] * 3)
    accent = bytes([0, 95 + rng.randrange(40), 184])
    sidebar = 260 + rng.randrange(80)
    # A few dozen distinct lines of "text" (glyph-sized runs), reused as rows are.
    def text_row(length):
        row, x = bytearray(), 0
        while x < length:
            word = rng.randrange(12, 70)
            row += ink * min(word, length - x)
            x += word
            gap = min(rng.randrange(5, 12), max(0, length - x))
            row += panel * gap
            x += gap
        return bytes(row[: length * 3])
    lines = [text_row(rng.randrange(300, width - sidebar - 200)) for _ in range(40)]
    rows = []
    y = 0
    side = bytes([235, 235, 235]) * sidebar
    while y < height:
        if y < 48:
            rows.append(accent * width)
            y += 1
            continue
        card = rng.randrange(60, 160)
        for dy in range(card):
            if y >= height:
                break
            middle = width - sidebar - 80
            if 16 <= dy < card - 16 and (dy // 4) % 4 < 2:
                text = lines[(y // 16) % len(lines)]
                body = text + panel * (middle - len(text) // 3)
            else:
                body = panel * middle
            rows.append(side + bg * 40 + body[: middle * 3] + bg * 40)
            y += 1
        for _ in range(12):
            if y < height:
                rows.append(side + bg * (width - sidebar))
                y += 1
    return rows


if __name__ == "__main__":
    folder, count = sys.argv[1], int(sys.argv[2])
    width, height = (int(v) for v in (sys.argv[3:5] if len(sys.argv) > 4 else (1920, 1080)))
    for i in range(count):
        png(f"{folder}/screen-{i:03}.png", width, height, screenshot(i, width, height))
