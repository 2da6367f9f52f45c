"""Real OpenAI, Anthropic and Character.AI incidents (status.openai.com, status.anthropic.com, status.character.ai,
the atlarge-research scraped histories) read as a news desk would: each converted into a Statuspage
``incidents.json`` (tests/data/training_real, its README says how: texts and times unchanged), served locally and
read through ``bot.py poll --once`` with backfill all and a Hindi + English console channel. The facts asserted are
read from the source documents, converted to IST and UTC by hand, never copied from the bot's output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from test_desk_training_real import poll_page


def test_a_resolution_stating_when_the_outage_ended_is_not_still_working(server: Any, tmp_path: Path) -> None:
    """OpenAI w20mcckg1748 ("Elevated errors in ChatGPT", 10 April 2024): resolved at 13:56 PDT (20:56 UTC, 2:26 AM
    IST on 11 April) with "At this time our deployed fix has mitigated the elevated errors in ChatGPT. We are
    continuing to investigate the factors which led to this incident. This outage started at ~11:00am and ended at
    1:43pm PST." The channel added "ध्यान दें: … उसी बयान के शब्दों के मुताबिक काम अभी जारी है" / "Note: … the words
    of the same statement say work is still going on". By its words the outage was over at 1:43 PM Pacific (20:43
    UTC, 2:13 AM IST); what goes on is the look into its causes."""
    poll, record = poll_page(server, tmp_path, "openai_w20mcckg1748")
    assert "work is still going on" not in poll.stdout
    assert "काम अभी जारी है" not in poll.stdout.split("✅ ओपनएआई: समस्या दूर")[1].split("✅ OpenAI: resolved")[0]
    assert (record["resolved_at"], record["resolved_from"]) == ("2024-04-10T20:43:00Z", "text")
    assert "By its account service was back on Thursday, 2:13 AM." in poll.stdout
