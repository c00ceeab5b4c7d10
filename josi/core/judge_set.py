"""The judge-calibration set: labelled answers in evals/judges/ (development rounds and a blind held-out
round), and the learned judges fitted on the development lines and gold.

Place in the pipeline: core; imports josi.core only. The gate (josi.eval.session) and training's checkpoint
scoring (josi.train.callbacks) bind the same learned judges, so a checkpoint is chosen by the judges that
will gate it; josi.eval.calibration measures every judge on these lines.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from josi.core.checks import Case, Response, parse_response
from josi.core.checks.learned import LearnedJudge
from josi.core.io import InputError, read_jsonl
from josi.core.paths import REPO_ROOT

JUDGES_DIR = REPO_ROOT / "evals" / "judges"
# The rules are written against these folders; HELDOUT is written blind and only measured. A
# held-out round, once measured and reported, moves into DEVELOPMENT and a fresh one replaces it.
DEVELOPMENT = (".", "round2", "round3", "round4", "round5", "round6", "round7", "round8", "round9", "round10",
               "round11", "round12", "round13", "round14")
HELDOUT = "heldout"


@dataclass(frozen=True)
class Labelled:
    id: str
    judge: str
    flag: bool  # True: the judge must flag it
    case: Case
    response: Response
    why: str
    where: str
    heldout: bool = False


def load_calibration(directory: Path = JUDGES_DIR) -> list[Labelled]:
    from josi.core.context import ChatContext, ContextError

    items, seen = [], {}
    paths = [p for folder in DEVELOPMENT for p in sorted((directory / folder).glob("*.jsonl"))]
    for path in paths + sorted((directory / HELDOUT).glob("*.jsonl")):
        for line, row in read_jsonl(path):
            missing = [k for k in ("id", "judge", "label", "context", "user", "expect", "answer") if k not in row]
            if missing:
                raise InputError(path, line, f"missing keys {', '.join(missing)}")
            if row["label"] not in ("flag", "pass"):
                raise InputError(path, line, f"label must be flag or pass, got {row['label']!r}")
            if row["id"] in seen:
                raise InputError(path, line, f"duplicate id {row['id']} (first at {seen[row['id']]})")
            seen[row["id"]] = f"{path.name}:{line}"
            try:
                case = Case(id=row["id"], context=ChatContext.from_dict(row["context"]), user=row["user"],
                            expect=row["expect"], category=row["judge"], source="calibration")
            except (ContextError, ValueError) as err:
                raise InputError(path, line, str(err)) from None
            items.append(Labelled(row["id"], row["judge"], row["label"] == "flag", case,
                                  parse_response(row["answer"]), row.get("why", ""), f"{path.parent.name}/{path.name}:{line}",
                                  heldout=path.parent.name == HELDOUT))
    return items


# The other judges' good lines are good answers for each learned judge too (each line is written good apart from its
# one labelled property), and fitting on them taught soft_refusal the terse correct replies it used to flag (blind
# round 11: 8 -> 13 of 30 caught, false flags 1 -> 1). Contempt is fitted on its own lines only: with the others its
# threshold fell from 0.88 to 0.61 and it read "I'm glad you asked, Petra. What's the question?" as contempt. With
# rounds 11 and 12 in development it did so again, at 0.63, and at 0.40 with the threshold set as below: 7 and 12 of
# the release's answers read as contempt, plain clarifying questions and repetition loops (the repetition check's).
OWN_GOOD_LINES_ONLY = frozenset({"contempt"})
# The readiness judge's threshold is set on the good answers that are not its own lines (gold and the other judges'
# good lines), about 1% of them above it: its own hard good lines name zones above the cap as much as its bad ones do
# and score high out of fold, which put the threshold at 0.97, where it caught nothing the rules missed. Measured on
# each of rounds 9-12 fitted without that round (with the rules as they stand, written on all four): 99/120 bad lines
# caught (rules alone 79/120; round 12 11 -> 20/30, round 11 12 -> 19/30), its own good lines failed 6/120 (rules
# alone 2/120), the other judges' good lines 9/596 and gold 0/791 (as many as the rules alone).
THRESHOLD_OFF_OWN_LINES = frozenset({"readiness_gating"})


def learned_judges(directory: Path = JUDGES_DIR) -> dict[str, LearnedJudge]:
    """Each learned judge fitted on its development lines (never the held-out round), on the other judges' good
    development lines (but OWN_GOOD_LINES_ONLY) and on the gold answers its rule applies to, as good ones. Fitting with cross-validation takes ~5 s a judge, so the fitted judges
    are kept in the user cache under the hash of everything they are fitted from."""
    import hashlib
    import pickle

    import sklearn

    from josi.core.checks import learned
    from josi.core.checks.registry import PURE_CHECKS
    from josi.core.gold import GOLD_DIR, gold_files
    from josi.core.io import atomic_path
    from josi.core.paths import cache_root

    sources = [p for folder in DEVELOPMENT for p in sorted((directory / folder).glob("*.jsonl"))]
    sources += sorted(gold_files(GOLD_DIR)) + sorted(Path(learned.__file__).parent.glob("*.py"))  # the rules decide applicability
    sources.append(Path(__file__))  # what the judges are fitted on is chosen here
    digest = hashlib.sha256(sklearn.__version__.encode())
    for path in sources:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    cached = cache_root() / "learned-judges" / f"{digest.hexdigest()[:16]}.pkl"
    if cached.is_file():
        try:
            return pickle.loads(cached.read_bytes())
        except Exception:  # a cache file from a killed write or another sklearn: fit again
            pass
    items = [i for i in load_calibration(directory) if not i.heldout]
    gold = gold_items()
    judges = {}
    for name in learned.LEARNED_JUDGES:
        lines = [i for i in items if i.judge == name]
        if name not in OWN_GOOD_LINES_ONLY:
            lines += [i for i in items if i.judge != name and not i.flag and PURE_CHECKS[name](i.response, i.case).applicable]
        lines += [g for g in gold if PURE_CHECKS[name](g.response, g.case).applicable]
        read = [(i, text) for i in lines if (text := learned.judged_text(name, i.response, i.case)) is not None]
        judges[name] = learned.LearnedJudge.train(name, [text for _, text in read], [i.flag for i, _ in read],
                                                  [i.judge != name for i, _ in read] if name in THRESHOLD_OFF_OWN_LINES else None)
    with atomic_path(cached) as tmp:
        tmp.write_bytes(pickle.dumps(judges))
    return judges


def gold_items() -> list[Labelled]:
    """Every gold answer, as a good answer each judge must let through."""
    from josi.core.gold import load_gold

    return [Labelled(r.id, "*", False, r.as_case(), parse_response(r.answer), "gold", f"{r.path.name}:{r.line}")
            for r in load_gold()]
