"""`josi data sample`: rows to read as the athlete would, spread over every task (a reviewer's sample).

N generated train rows, one task after another in name order, each drawn with the seed: context (readiness,
sport, level, age, goal, planned session, earlier turns), the user text and the answer. The dataset issue asks
for 40 such rows to be read before a build is called good (docs/data.md lists the ones read).

    josi data sample [--out artifacts/data] [--n 40] [--seed 0]

Place in the pipeline: data stage (cards + gold -> SFT dataset); imports josi.core and josi.data only.
"""
from __future__ import annotations

import random
from collections import defaultdict
from pathlib import Path

from josi.core.io import read_jsonl
from josi.data.rows import target


def sample_rows(out: Path, n: int, seed: int) -> list[dict]:
    by_task: dict[str, list[dict]] = defaultdict(list)
    for _, row in read_jsonl(Path(out) / "train.jsonl"):
        if row["meta"]["source"] == "generated":
            by_task[row["meta"]["task"]].append(row)
    rng, tasks = random.Random(seed), sorted(by_task)
    return [rng.choice(by_task[tasks[i % len(tasks)]]) for i in range(n)] if tasks else []


def describe(row: dict) -> str:
    meta, answer = row["meta"], target(row)
    ctx = meta["context"]
    readiness, profile, session = ctx["readiness"], ctx["profile"], ctx.get("planned_session")
    lines = [f"== {meta['id']}  {meta['task']}  {meta['persona']}  {readiness['level']}/{readiness['state']} "
             f"({readiness['confidence']})  {profile['sport']} {profile['level']} age {profile['age']} goal {profile['goal']}",
             "   session: " + (f"{session['zone']} {session['duration_min']} min, {session['structure']} ({session['phase']})"
                              if session else "none (rest day)")]
    lines += [f"   earlier {turn['role']}: {turn['content']}" for turn in ctx.get("history", [])]
    lines += [f"   athlete: {meta['user']}", f"   josi ({answer['intent']}, {answer['response_type']}): {answer['message']}"]
    if answer.get("replan_request"):
        lines.append(f"   replan_request: {answer['replan_request']}")
    return "\n".join(lines)
