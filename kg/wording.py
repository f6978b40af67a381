"""Words in messages: counts with the right number ("1 trial", "2 trials")."""

from __future__ import annotations

__all__ = ["counted"]


def counted(n: int, singular: str, plural: str | None = None, *, sep: str = "") -> str:
    """Return ``n`` and the noun in the number it calls for; ``sep=","`` groups thousands.

    >>> counted(1, "trial"), counted(2, "trial"), counted(0, "similarity", "similarities")
    ('1 trial', '2 trials', '0 similarities')
    >>> counted(12345, "warning", sep=",")
    '12,345 warnings'
    """
    number = f"{n:,}" if sep == "," else str(n)
    return f"{number} {singular if n == 1 else plural or singular + 's'}"
