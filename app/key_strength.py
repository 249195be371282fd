"""How hard a secret key is to guess, estimated from the key alone.

Two estimates, and the key gets the lower:

- Shannon's: the key's length times the entropy of its own character frequencies. It is low
  for keys of few different characters (40 spaces: 0 bits; `abcabc…`: 1.6 bits a character).
- compression's: the bits zlib needs for the key, beyond what it needs for nothing at all,
  counted at the Shannon entropy of a character rather than at the 8 bits zlib spends on each
  literal. It is low for keys that repeat themselves (`0123456789` four times over: 10 different
  characters, but about 43 bits), which Shannon's estimate alone misses.

Both can only see repetition and a small alphabet, not a guessable phrase or a sequence such
as `abcdefgh…`; they err low for random keys (a random 64-character hex key scores about 190
of its 256 bits), so the bound a key must reach sits below that: MIN_SECRET_KEY_BITS.
"""

import math
import zlib
from collections import Counter

MIN_SECRET_KEY_BITS = 96
EMPTY = len(zlib.compress(b"", 9))


def bits_per_character(key: str) -> float:
    counts, length = Counter(key), len(key)
    return -sum(count / length * math.log2(count / length) for count in counts.values())


def estimated_bits(key: str) -> float:
    """A low estimate of the key's entropy, in bits (see the module's docstring)."""
    if not key:
        return 0.0
    per_character = bits_per_character(key)
    compressed_bytes = len(zlib.compress(key.encode(), 9)) - EMPTY
    return min(per_character * len(key), compressed_bytes * per_character)
