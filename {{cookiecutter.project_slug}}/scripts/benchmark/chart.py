"""A PNG of the throughput ratios per engine, for docs/benchmark.md.

Drawn with Pillow alone (one small, well-kept package; a plotting library
would bring NumPy and more for a few bars). Per engine one bar per setup,
as a multiple of stock Django's requests/s on that engine in the same run,
with stock's 1.0 as a line across; a thin line over each bar spans the
lowest to the highest ratio of single rounds, to show how noisy the run was.
"""

from PIL import Image, ImageDraw, ImageFont

from scripts.benchmark.report import setups_of
from scripts.benchmark.setups import STOCK

COLOURS = {"project": (37, 99, 235), "save_every": (234, 138, 12), "orm_read": (22, 163, 74)}
INK, GRID, PAPER, WHISKER = (30, 30, 30), (215, 215, 215), (255, 255, 255), (90, 90, 90)
WIDTH, LEFT, RIGHT, TOP, BAR, GAP = 1000, 170, 60, 110, 26, 26


def draw(document, path):
    engines = list(document["engines"])
    shown = [setup for setup in setups_of(document) if setup.key != STOCK]
    ratios = [
        ratio
        for engine in engines
        for setup in shown
        for ratio in document["engines"][engine][setup.key]["vs_stock_rounds"]
    ]
    top = max(1.25, max(ratios) * 1.12)
    height = TOP + len(engines) * (len(shown) * BAR + GAP) + 70
    image = Image.new("RGB", (WIDTH, height), PAPER)
    pen = ImageDraw.Draw(image)
    font, small, big = (ImageFont.load_default(size=n) for n in (17, 14, 22))

    def x(ratio):
        return LEFT + ratio / top * (WIDTH - LEFT - RIGHT)

    title = "Requests per second, relative to stock Django (same engine, same run)"
    pen.text((20, 16), title, INK, big)
    legend = 20
    for setup in shown:
        pen.rectangle([legend, 58, legend + 16, 74], fill=COLOURS[setup.key])
        pen.text((legend + 24, 57), setup.label, INK, font)
        legend += 40 + pen.textlength(setup.label, font=font)
    whisker(pen, legend, legend + 24, 66)
    pen.text((legend + 32, 57), "lowest to highest single round", INK, font)
    bottom = height - 60
    tick = 0.0
    while tick <= top:
        pen.line([x(tick), TOP - 10, x(tick), bottom], GRID, 1)
        pen.text((x(tick), bottom + 6), f"{tick:.2f}x", INK, small, anchor="ma")
        tick += 0.25
    pen.line([x(1), TOP - 10, x(1), bottom], INK, 2)
    pen.text((x(1) + 6, TOP - 26), "stock Django = 1.00x", INK, small)

    y = TOP
    for engine in engines:
        pen.text((LEFT - 14, y + len(shown) * BAR / 2), engine, INK, font, anchor="rm")
        for setup in shown:
            figures = document["engines"][engine][setup.key]
            ratio, rounds = figures["vs_stock"], figures["vs_stock_rounds"]
            pen.rectangle([x(0), y + 2, x(ratio), y + BAR - 2], fill=COLOURS[setup.key])
            middle = y + BAR / 2
            whisker(pen, x(min(rounds)), x(max(rounds)), middle)
            label_at = max(x(max(rounds)), x(ratio)) + 10
            label = f"{ratio:.2f}x"
            box = pen.textbbox((label_at, middle), label, small, anchor="lm")
            pen.rectangle([box[0] - 3, box[1] - 2, box[2] + 3, box[3] + 2], fill=PAPER)
            pen.text((label_at, middle), label, INK, small, anchor="lm")
            y += BAR
        y += GAP
    machine = document["machine"]
    footer = (
        f"{machine['cpu']}, {machine['cores']} cores; {machine['app_server']}; "
        f"PostgreSQL {machine['postgresql']} ({machine['durability']})"
    )
    pen.text((20, height - 24), footer, INK, small)
    image.save(path, "PNG")
    return path


def whisker(pen, left, right, middle):
    pen.line([left, middle, right, middle], WHISKER, 2)
    for end in (left, right):
        pen.line([end, middle - 5, end, middle + 5], WHISKER, 2)
