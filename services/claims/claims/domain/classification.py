"""Five-category loan classification (《商业银行金融资产风险分类办法》, in force 2023-07-01)."""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    NORMAL = "normal"  # 正常
    SPECIAL_MENTION = "special_mention"  # 关注
    SUBSTANDARD = "substandard"  # 次级
    DOUBTFUL = "doubtful"  # 可疑
    LOSS = "loss"  # 损失


SEVERITY = {c: i for i, c in enumerate(Category)}  # NORMAL 0 ... LOSS 4


def floor_for(days_past_due: int) -> Category:
    """The least severe category the rules allow for this many days past due."""
    if days_past_due > 360:
        return Category.LOSS
    if days_past_due > 270:
        return Category.DOUBTFUL
    if days_past_due > 90:
        return Category.SUBSTANDARD
    if days_past_due > 0:
        return Category.SPECIAL_MENTION
    return Category.NORMAL


def better_than_floor(reported: Category, days_past_due: int) -> bool:
    """True when the bank reports a category less severe than days past due allow (flagged, not refused)."""
    return SEVERITY[reported] < SEVERITY[floor_for(days_past_due)]
