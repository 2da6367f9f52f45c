"""Rendering works from plain data alone (issue 12, "Render from plain data"): facts/gather.py is the one step that
reads the store; render.py and the templates take a plain context (facts/context.py) and never see a database
handle. Every message kind is rendered here from a hand-built context in a process where the store, sqlite_utils
and sqlite3 cannot even be imported."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PLAIN = textwrap.dedent('''
    import sys
    for blocked in ("store", "sqlite_utils", "sqlite3", "facts.gather"):
        sys.modules[blocked] = None  # any import of them raises ImportError
    sys.path.insert(0, ROOT)
    from datetime import datetime, timezone
    import render
    from facts.context import incident_facts, service_names, statement_facts

    def at(text):
        return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)

    def said(text, when, kind, **more):
        return statement_facts({"text": text, "created_at": at(when), "kind": kind, "url": "https://status.example",
                                "symptoms": "[]", "author": "", "language": "en", "components": "[]", "raw_status": "", **more},
                               "statuspage")

    github = service_names("GitHub")
    opened = {"service": "GitHub", "status": "open", "title": "Incident with Actions", "impact": "minor",
              "opened_at": "2024-03-05T15:00:00Z", "first_word_at": "2024-03-05T15:00:00Z", "event_id": None,
              "last_statement_at": "2024-03-05T15:20:00Z", "reopened": 0, "components": ["Actions"]}
    resolved = {**opened, "status": "resolved", "resolved_at": "2024-03-05T16:10:00Z", "duration_seconds": 4200}
    ack = said("We are investigating reports of degraded performance for Actions.", "2024-03-05T15:00:00", "acknowledged")
    upd = said("We have identified the cause and are deploying a fix.", "2024-03-05T15:20:00", "update")
    fix = said("This incident has been resolved.", "2024-03-05T16:10:00", "resolved")
    rep = said("Post-incident report: on March 5 ...", "2024-03-07T10:00:00", "report")
    base = {"timezone": "Asia/Kolkata", "body": "", "service": github}
    contexts = {
        "acknowledged": {**base, "kind": "acknowledged", "incident": incident_facts(opened), "statement": ack},
        "update": {**base, "kind": "update", "change": "update", "incident": incident_facts(opened), "statement": upd},
        "resolved": {**base, "kind": "resolved", "change": "resolved", "incident": incident_facts(resolved),
                     "statement": fix, "first_statement": ack},
        "report": {**base, "kind": "report", "change": "report", "incident": incident_facts(resolved), "statement": rep},
        "digest": {**base, "kind": "digest", "incident": incident_facts(resolved), "statement": fix,
                   "statements": [ack, upd, fix]},
        "notice": {**base, "kind": "notice", "body": "pushti: a source is failing"},
    }
    window = {"service": "GitHub", "kind": "maintenance", "status": "open", "title": "Database maintenance",
              "opened_at": "2024-03-01T10:00:00Z", "window_start": "2024-03-05T05:00:00Z",
              "window_end": "2024-03-05T06:00:00Z", "event_id": None, "reopened": 0}
    for stage in ("scheduled", "in_progress", "completed"):
        done = {**window, "status": "resolved", "resolved_at": "2024-03-05T06:00:00Z"} if stage == "completed" else window
        contexts["maintenance." + stage] = {
            **base, "kind": "maintenance", "change": "maintenance", "stage": stage, "incident": incident_facts(done),
            "statement": said("Scheduled maintenance for our database.", "2024-03-01T10:00:00", "maintenance"),
            "first_statement": said("Scheduled maintenance for our database.", "2024-03-01T10:00:00", "maintenance")}
    members = [incident_facts({**resolved, "service": s}) for s in ("GitHub", "Slack")]
    event = {"status": "resolved", "started_at": at("2024-03-05T15:00:00"), "ended_at": at("2024-03-05T16:10:00"),
             "services": [m["service_info"] for m in members], "incidents": members}
    contexts["event"] = {**base, "kind": "event", "incident": members[0], "event": event}
    contexts["digest.day"] = {**base, "kind": "digest", "summary": {
        "scope": "day", "incidents": members, "events": [event], "day": at("2024-03-05T00:00:00")}}
    out = []
    for name, context in contexts.items():
        kind = name.split(".")[0]
        for markup in ("plain", "telegram", "slack"):
            message = render.render(kind, context, markup=markup, languages=("hi", "en"), max_chars=4096)
            assert message.parts and all(message.parts), name
            if kind == "resolved" or name == "maintenance.completed":
                assert message.card, name
        out.append(name + " " + str(len(message.parts[0])))
    for blocked in ("store", "sqlite_utils", "sqlite3", "facts.gather"):
        assert sys.modules[blocked] is None, blocked
    print("\\n".join(out))
''')


def test_every_kind_renders_from_a_hand_built_plain_context_without_a_database():
    result = subprocess.run([sys.executable, "-c", f"ROOT = {str(ROOT)!r}\n" + PLAIN], capture_output=True, text=True,
                            timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    rendered = result.stdout.split()
    for kind in ("acknowledged", "update", "resolved", "report", "digest", "notice", "event", "digest.day",
                 "maintenance.scheduled", "maintenance.in_progress", "maintenance.completed"):
        assert kind in rendered


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_render_has_no_database_handle():
    """render.py imports neither the store nor sqlite at module level; its only way to the store is the thin
    wrappers kept for callers (message_context, incident_context, summary_context, preview), which hand the
    handle straight to facts.gather."""
    source = (ROOT / "render.py").read_text(encoding="utf-8")
    imports = _imports(ROOT / "render.py")
    assert not imports & {"store", "sqlite_utils", "sqlite3", "outbox", "incidents"}
    assert "row(" not in source and "rows(" not in source and "db.execute" not in source and ".query(" not in source
    tree = ast.parse(source)
    with_db = {f.name for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) and any(a.arg == "db" for a in f.args.args)}
    assert with_db == {"message_context", "incident_context", "summary_context", "preview"}
    result = subprocess.run([sys.executable, "-c", "import sys, render; print(sorted(m for m in ('store', 'sqlite_utils', "
                             "'sqlite3', 'facts.gather') if m in sys.modules))"], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr
    for template in (ROOT / "templates").glob("*.j2"):
        assert "db" not in {w.strip("(.,") for w in template.read_text(encoding="utf-8").split()}, template.name


def test_the_gathering_step_is_the_one_reader_of_the_store():
    """facts/context.py and facts/record.py are plain (no store); facts/gather.py reads it."""
    for plain in ("facts/context.py", "facts/record.py", "facts/what_broke.py"):
        assert not _imports(ROOT / plain) & {"store", "sqlite_utils", "sqlite3"}, plain
    assert "store" in _imports(ROOT / "facts" / "gather.py")
