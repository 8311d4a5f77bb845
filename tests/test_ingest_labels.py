"""Every import rule has a Chinese label for the upload page."""

from analytics.ingest import RULES
from ui.tables import RULE_LABELS


def test_every_rule_has_a_chinese_label():
    assert set(RULES) == set(RULE_LABELS)
