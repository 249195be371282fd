"""How hard a secret key is to guess: the lower of Shannon's estimate and zlib's, which err low
(a random 64-character hex key scores about 190 of its 256 bits), hence MIN_SECRET_KEY_BITS."""

import math
import zlib
from collections import Counter

MIN_SECRET_KEY_BITS = 96
EMPTY = len(zlib.compress(b"", 9))


def estimated_bits(key: str) -> float:
    """A low estimate of the key's entropy, in bits."""
    if not key:
        return 0.0
    shares = [count / len(key) for count in Counter(key).values()]
    per_character = -sum(share * math.log2(share) for share in shares)  # Shannon's
    compressed_bytes = len(zlib.compress(key.encode(), 9)) - EMPTY
    return min(per_character * len(key), compressed_bytes * per_character)
