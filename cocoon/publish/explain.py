"""Why a household is on the list, in one sentence: its score's two parts and the burglaries behind it.

"Score 12.3: 9.1 from recent burglaries nearby (B12, 3 days ago, 40 m; B7, 20 days ago,
150 m), 3.2 from this place's own history." The parts come from the ranking
(:mod:`cocoon.risk.ranking`): ``score_recent``, ``score_history`` and ``reasons``.
"""

from __future__ import annotations

import math
from typing import Any

from cocoon.catalogue import number, text


def why(row: Any, lang: str, *, name_burglaries: bool = True) -> str:
    """The sentence for one visits row (a namedtuple or a mapping with score, score_recent,
    score_history and reasons); without the burglaries' ids, ages and distances when
    ``name_burglaries`` is false (the volunteers' list)."""
    def get(key: str, default: Any = None) -> Any:
        return row.get(key, default) if isinstance(row, dict) else getattr(row, key, default)

    score = _value(get("score", 0.0))
    recent = _value(get("score_recent", score))
    history = _value(get("score_history", 0.0))
    items = []
    reasons = str(get("reasons", "") or "") if name_burglaries else ""
    for part in reasons.split(";"):
        fields = part.split("|")
        if len(fields) == 3 and fields[1].lstrip("-").isdigit():
            items.append(text("why.burglary", lang, id=fields[0], days=int(fields[1]),
                              m=number(float(fields[2]), lang)))
    burglaries = text("why.burglaries", lang, list="; ".join(items)) if items else ""
    return text("why.sentence", lang, score=number(score, lang, 1), recent=number(recent, lang, 1),
                history=number(history, lang, 1), burglaries=burglaries)


def _value(value: Any) -> float:
    try:
        result = float(value)
    except (TypeError, ValueError):
        return 0.0
    return result if math.isfinite(result) else 0.0
