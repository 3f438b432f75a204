"""Replay the test stories through the real bot: trained model, NLU and the action server.

`rasa test core` (bot/dev/testing.py) only checks which action the dialogue policies predict; it
neither parses the user texts (without `--e2e`) nor runs the actions, so the form's dynamic
questions (`requested_slot`) written in a story are the story writer's claim. This script
checks that claim: each story's user texts are sent to an `Agent` with a real action server,
and the intents, entities, actions, active loops and requested slots the bot produces are
compared with the story.

    SANIC_HOST=127.0.0.1 POLICYBOT_DATA_DIR=/tmp/x .venv/bin/rasa run actions --actions actions --port 5791 &
    .venv/bin/python tests/stories/replay_check.py --port 5791 [tests/stories/test_awards.yml ...]
    .venv/bin/python tests/stories/replay_check.py --port 5791 --probe "消息一" "消息二"

Exit code 0 when every story matches.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import uuid
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml

REPO = Path(__file__).resolve().parents[2]
SKIPPED_ACTIONS = {"action_listen", "action_session_start", "action_extract_slots"}

Step = Tuple[str, Any]


def expected_steps(story: Dict[str, Any]) -> List[List[Step]]:
    """The story cut into turns: each turn starts with ("user", (text, intent)) then what follows."""
    turns: List[List[Step]] = []
    for step in story["steps"]:
        if "user" in step:
            turns.append([("user", (step["user"].strip(), step.get("intent")))])
        elif "intent" in step:
            turns.append([("user", (None, step["intent"]))])
        elif "action" in step:
            turns[-1].append(("action", step["action"]))
        elif "active_loop" in step:
            turns[-1].append(("active_loop", step["active_loop"]))
        elif "slot_was_set" in step:
            for item in step["slot_was_set"]:
                if isinstance(item, dict) and "requested_slot" in item:
                    turns[-1].append(("requested_slot", item["requested_slot"]))
    return turns


ANNOTATION = re.compile(r"\[([^\]]+)\](?:\{([^}]*)\}|\(([^)]*)\))")


def plain_text(annotated: str) -> str:
    """`[3000万]{"entity": ...}` / `[广西](region)` → the text the user typed."""
    return ANNOTATION.sub(r"\1", annotated)


def annotated_entities(annotated: str) -> List[Tuple[str, str, str]]:
    """(entity, value, span) of each annotation, in order."""
    out = []
    for match in ANNOTATION.finditer(annotated):
        span, braces, parens = match.groups()
        if braces is not None:
            spec = json.loads("{" + braces + "}")
            out.append((spec["entity"], str(spec.get("value", span)), span))
        else:
            out.append((parens, span, span))
    return out


def plain_text_norm(text: str) -> str:
    return text.replace("，", ",").replace("？", "?").replace("！", "!").replace("％", "%")


def drop_redundant_loops(steps, loops: Dict[str, Any], who: str):
    """An `active_loop` naming the loop already active changes nothing: drop it."""
    for _, info in steps:
        if "active_loop" in info:
            if info["active_loop"] == loops[who]:
                info.pop("active_loop")
            else:
                loops[who] = info["active_loop"]
    return steps


def predicted_entities(parse: Dict[str, Any]) -> List[Tuple[str, str, str]]:
    text = parse.get("text") or ""
    ents = sorted(parse.get("entities") or [], key=lambda e: e.get("start") or 0)
    return [(e["entity"], str(e.get("value")), text[e["start"]:e["end"]]) for e in ents]


def actual_steps(events: List[Dict[str, Any]]) -> List[Step]:
    """What the bot did after the latest user message, in story terms."""
    out: List[Step] = []
    for event in events:
        kind = event.get("event")
        if kind == "action" and event.get("name") not in SKIPPED_ACTIONS:
            out.append(("action", event["name"]))
        elif kind == "active_loop":
            out.append(("active_loop", event.get("name")))
        elif kind == "slot" and event.get("name") == "requested_slot":
            out.append(("requested_slot", event.get("value")))
        elif kind == "bot":
            out.append(("bot", event.get("text")))
    return out


def per_action(steps: List[Step]) -> List[Tuple[str, Dict[str, Any]]]:
    """Each action with the final active loop / requested slot it left (order inside ignored)."""
    out: List[Tuple[str, Dict[str, Any]]] = []
    for kind, value in steps:
        if kind == "action":
            out.append((value, {}))
        elif kind in ("active_loop", "requested_slot") and out:
            out[-1][1][kind] = value
    return out


async def run_turns(agent, texts: List[str]) -> List[Tuple[Dict[str, Any], List[Step]]]:
    sender = f"replay-{uuid.uuid4().hex[:8]}"
    results = []
    for text in texts:
        before = len((await agent.tracker_store.retrieve(sender) or _Empty()).events)
        await agent.handle_text(text, sender_id=sender)
        tracker = await agent.tracker_store.retrieve(sender)
        events = [e.as_dict() for e in list(tracker.events)[before:]]
        user = next((e for e in events if e.get("event") == "user"), {})
        results.append((user.get("parse_data") or {}, actual_steps(events)))
    return results


class _Empty:
    events: List[Any] = []


def describe(parse: Dict[str, Any]) -> str:
    intent = parse.get("intent") or {}
    entities = ", ".join(
        f"{e.get('entity')}={e.get('value')!r}[{e.get('start')}:{e.get('end')}]" for e in parse.get("entities") or []
    )
    return f"{intent.get('name')} ({intent.get('confidence', 0):.2f}) {entities}"


async def check_story(agent, name: str, story: Dict[str, Any], verbose: bool) -> bool:
    turns = expected_steps(story)
    raw = [turn[0][1][0] or "" for turn in turns]
    texts = [plain_text(t) for t in raw]
    results = await run_turns(agent, texts)
    ok = True
    lines = [f"--- {name}"]
    loops = {"want": None, "got": None}
    for turn, text, annotated, (parse, got) in zip(turns, texts, raw, results, strict=False):
        want_intent = turn[0][1][1]
        got_intent = (parse.get("intent") or {}).get("name")
        want = drop_redundant_loops(per_action(list(turn[1:])), loops, "want")
        compare_got = drop_redundant_loops(per_action(got), loops, "got")
        # A requested slot is compared only where the story states one.
        for (_, w), (_, g) in zip(want, compare_got, strict=False):
            if "requested_slot" not in w:
                g.pop("requested_slot", None)
        # Entities compared as the text the NLU normalised (full-width → half-width).
        want_entities = [(e, v, plain_text_norm(sp)) for e, v, sp in annotated_entities(annotated)]
        got_entities = [(e, v, plain_text_norm(sp)) for e, v, sp in predicted_entities(parse)]
        entities_match = want_entities == got_entities
        match = got_intent == want_intent and compare_got == want and entities_match
        if not entities_match:
            lines.append(f"     entities want: {want_entities}")
            lines.append(f"     entities got:  {got_entities}")
        ok &= match
        lines.append(f"{'  ' if match else '✗ '}U: {text}  →  {describe(parse)}  (story: {want_intent})")
        if not match or verbose:
            lines.append(f"     want: {want}")
            lines.append(f"     got:  {compare_got}")
        if verbose or not match:
            for kind, value in got:
                if kind == "bot":
                    lines.append("     B: " + str(value).replace("\n", " / ")[:300])
    print("\n".join(lines) if (not ok or verbose) else f"ok  {name}")
    return ok


async def main_async(args) -> int:
    import logging

    import rasa.utils.common
    from rasa.core.agent import Agent

    rasa.utils.common.configure_logging_and_warnings(logging.WARNING)
    from rasa.utils.endpoints import EndpointConfig

    agent = Agent.load(
        str(REPO / "models" / "current.tar.gz"),
        action_endpoint=EndpointConfig(f"http://127.0.0.1:{args.port}/webhook"),
    )
    if args.probe:
        convs = [[m] for m in args.probe] if args.each else [m.split("||") for m in args.probe] if args.split else [args.probe]
        for conv in convs:
          print("====")
          for parse, got in await run_turns(agent, conv):
            print("U:", parse.get("text"), "→", describe(parse))
            for kind, value in got:
                print("   ", kind, str(value).replace("\n", " / ")[:args.width])
        return 0
    files = [Path(f) for f in args.files] or sorted((REPO / "tests" / "stories").glob("*.yml"))
    failures = 0
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for story in data.get("stories") or []:
            if not await check_story(agent, f"{path.name}: {story['story']}", story, args.verbose):
                failures += 1
    print(f"{failures} stor{'y' if failures == 1 else 'ies'} differ from the bot")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*")
    parser.add_argument("--port", type=int, required=True, help="port of a running action server")
    parser.add_argument("--probe", nargs="+", help="send these messages as one conversation and print what happens")
    parser.add_argument("--each", action="store_true", help="each probe message in its own conversation")
    parser.add_argument("--split", action="store_true", help="each probe argument is a conversation, turns split by ||")
    parser.add_argument("--width", type=int, default=160)
    parser.add_argument("-v", "--verbose", action="store_true")
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
