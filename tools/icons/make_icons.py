# Regenerates public/icon/ (shared by the extension and the PWA): /usr/bin/python3 tools/icons/make_icons.py
# (needs Pillow; run from the repository root).
# Draws Attune's icon: a rounded blue square with three white "tuning" sliders.
from PIL import Image, ImageDraw
ACCENT = (47, 91, 211, 255)
def draw(size, maskable=False):
    img = Image.new('RGBA', (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    if maskable:
        d.rectangle([0, 0, size, size], fill=ACCENT)  # full bleed; content inside the 80% safe zone
        inset = size * 0.2
    else:
        d.rounded_rectangle([0, 0, size - 1, size - 1], radius=size * 0.22, fill=ACCENT)
        inset = size * 0.2
    span = size - 2 * inset
    for i, knob in enumerate((0.3, 0.7, 0.45)):
        y = inset + span * (i + 0.5) / 3
        w = max(1, size * 0.05)
        d.rounded_rectangle([inset, y - w / 2, size - inset, y + w / 2], radius=w / 2, fill=(255, 255, 255, 200))
        x = inset + span * knob
        r = max(1.5, size * 0.085)
        d.ellipse([x - r, y - r, x + r, y + r], fill=(255, 255, 255, 255))
    return img
for s in (16, 32, 48, 128, 192, 512):
    draw(s).save(f'public/icon/{s}.png', optimize=True)
draw(512, maskable=True).save('public/icon/maskable-512.png', optimize=True)
