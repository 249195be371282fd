"""Small generated SVG pictures for catalog items, served by the sandbox itself."""

import hashlib

from markupsafe import escape


def icon_svg(name: str) -> str:
    hue = int(hashlib.sha256(name.encode()).hexdigest()[:4], 16) % 360
    label = escape(name[:6].upper())
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 160 100" width="160" height="100">'
        f'<rect width="160" height="100" fill="hsl({hue} 60% 88%)"/>'
        f'<circle cx="130" cy="20" r="34" fill="hsl({hue} 55% 70%)"/>'
        f'<text x="14" y="84" font-family="sans-serif" font-size="22" font-weight="700" '
        f'fill="hsl({hue} 50% 25%)">{label}</text></svg>'
    )
