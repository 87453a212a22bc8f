"""Real image files for upload tests, made with Pillow (a header alone no longer passes)."""

import io

from PIL import Image

# A GPS position in EXIF (tag 0x8825, the GPS IFD), as a phone writes it.
GPS_LATITUDE = (43.0, 36.0, 2.0)


def image_bytes(fmt: str = "PNG", *, size=(64, 48), gps: bool = False, color="teal") -> bytes:
    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    kwargs = {}
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif.get_ifd(0x8825).update({1: "N", 2: GPS_LATITUDE, 3: "E", 4: (1.0, 26.0, 0.0)})
        kwargs["exif"] = exif.tobytes()
    image.save(out, fmt, **kwargs)
    return out.getvalue()


PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")
