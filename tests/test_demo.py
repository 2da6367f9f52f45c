"""`bot.py demo`: the seed story replayed through the whole pipeline reads as a faithful bilingual summary."""

from __future__ import annotations

import io
import os

from golden_cases import FACEBOOK_ACK, TWITTER_RESOLVED
from pollhelpers import run_bot

from demo import SCENES, run_demo

NO_NETWORK = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "ALL_PROXY": "http://127.0.0.1:9"}


def test_demo_command_tells_the_seed_story(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_TOKEN", "_WEBHOOK"))}
    result = run_bot("demo", env={**env, **NO_NETWORK, "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    out, story = result.stdout.split("खबर का मसौदा / Story draft", 1)  # the messages, then the story draft
    assert "फेसबुक, व्हाट्सएप, इंस्टाग्राम और ट्विटर पर घंटों दिक्कत रही" in story  # tests/test_story.py reads it
    # when: Wednesday night IST start, Thursday morning resolution, and how long
    assert "फेसबुक ने बुधवार रात 8:35 बजे (3 जुलाई, भारतीय समय) ट्वीट कर माना" in out
    assert "Wednesday 3 July, 8:35 PM IST (15:05 UTC)" in out
    assert "गुरुवार सुबह 5:20 बजे" in out and "Thursday 4 July, 5:20 AM IST (23:50 UTC, 3 July)" in out
    # no company stated when its trouble began: the first statement is told as that, never as the start
    assert "फेसबुक ने पहली बार बुधवार रात 8:35 बजे (3 जुलाई) इसकी जानकारी दी; तब से समस्या दूर होने तक लगभग 8 घंटे 45 मिनट लगे।" in out
    assert "Facebook first reported it on Wednesday 3 July, 8:35 PM; it was resolved about 8 h 45 min later." in out
    assert "सबसे पहले फेसबुक ने बुधवार रात 8:35 बजे (3 जुलाई, भारतीय समय) इसकी जानकारी दी।" in out
    assert "शुरू हुई" not in out and "It began" not in out
    assert "एक साथ दिक्कत रही; सबसे पहले फेसबुक ने बुधवार रात 8:35 बजे (3 जुलाई, भारतीय समय) इसकी जानकारी दी। गुरुवार" in out
    assert "8:35 बजे (3 जुलाई, भारतीय समय) से एक साथ दिक्कत रही" not in out  # the summary: not a start either
    # @TwitterSupport said "almost at 100% resolved": told as that much, as the seed story does
    assert "समस्या का लगभग 100 प्रतिशत समाधान हो गया है। कंपनी के मुताबिक कुछ लोगों को अब भी दिक्कत हो सकती है।" in out
    assert "the problem is almost 100% resolved. By its account some people may still see problems." in out
    # … and nowhere turned into "fixed": the root's card, the event's bullet, the summary
    assert "✅ ट्विटर: 7 घंटे 9 मिनट बाद समस्या लगभग पूरी तरह ठीक" in out
    assert "✅ Twitter: almost fully fixed after 7 h 9 min" in out
    assert "• ट्विटर: बुधवार रात 9:45 बजे से गुरुवार तड़के 4:54 बजे तक — 7 घंटे 9 मिनट, समस्या लगभग पूरी तरह ठीक" in out
    assert "— 7 h 9 min, almost fully fixed" in out and "7 घंटे 9 मिनट, समस्या दूर" not in out
    assert "सभी कंपनियों ने समस्या दूर या लगभग पूरी तरह ठीक होने की जानकारी दी" in out and "All were back" not in out
    assert "तब से समस्या लगभग पूरी तरह ठीक होने तक लगभग 7 घंटे 9 मिनट लगे" in out
    # what the companies said, verbatim, in both language parts
    assert out.count(TWITTER_RESOLVED) == 2
    # @facebook's first words: in its acknowledgement and, once resolved, under the root's status line (each language)
    assert out.count(FACEBOOK_ACK) == 4 and "पहला बयान: फेसबुक (@facebook) ने बुधवार रात 8:35 बजे" in out
    assert "फेसबुक (@facebook) ने लिखा (अंग्रेज़ी में):" in out
    # the event: several services at once, "और" before the last
    assert "फेसबुक, व्हाट्सएप और इंस्टाग्राम पर एक साथ दिक्कत" in out
    assert "फेसबुक, व्हाट्सएप, इंस्टाग्राम और ट्विटर पर एक साथ दिक्कत" in out and "ट्विटर" in out
    assert "Facebook, WhatsApp and Instagram in trouble at the same time" in out
    # the closing summary, and the resolved first messages edited in place
    summary = out.split("सार / Summary", 1)[1]
    assert "• फेसबुक: बुधवार रात 8:35 बजे से गुरुवार सुबह 5:20 बजे तक — 8 घंटे 45 मिनट, समस्या दूर" in summary
    assert "• Facebook: Wednesday, 8:35 PM (15:05 UTC) to Thursday, 5:20 AM (23:50 UTC, 3 July) — 8 h 45 min, resolved" in summary
    # four roots edited on resolution; the one event message edited as Instagram and Twitter join and as each
    # of the four resolves
    assert out.count("── [desk] edit ") == 4 + 2 + 4
    # illustrative statements are marked as such
    assert out.count("illustrative statement") == sum(1 for s in SCENES if not s.verbatim)
    assert out.count("verbatim, quoted in the seed story") == sum(1 for s in SCENES if s.verbatim) == 2


def test_demo_in_english_only_and_each_message_once():
    out = io.StringIO()
    assert run_demo(out, languages=("en",)) == 0
    text = out.getvalue()
    for chunk in text.split("── [desk]")[1:]:  # every message, without the replay's own step lines
        message = chunk.split("▶")[0].split("═")[0]
        assert message.strip() and not any("\u0900" <= ch <= "\u097f" for ch in message), message
    assert "Summary: Facebook, WhatsApp, Instagram and Twitter in trouble at the same time" in text
    messages = text.count("── [desk] ") - text.count("── [desk] edit ")
    assert messages == 8 + 1  # eight statements and one event message (edited as Instagram and Twitter join)
