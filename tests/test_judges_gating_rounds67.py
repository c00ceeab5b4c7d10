"""Readiness gating, the families added for the wording of rounds 6 and 7: for each, one bad answer the judge
must flag and one look-alike good answer it must let through (the module docstring lists what is read)."""
import pytest

from josi.core.checks import Case, parse_response
from josi.core.checks.gating import readiness_gating
from josi.core.context import sample_context


def case(level, user):
    return Case(id="t", context=sample_context("balanced", level, zone="Z2", minutes=50, age=44), user=user, expect="answer")


def answer(message):
    return parse_response({"intent": "question", "response_type": "QuestionAnswer", "source_cards": ["zone_physiology"],
                           "guardrail_triggered": False, "guardrail_reason": None, "replan_request": None, "message": message})


def flagged(message, level="red", user="What about today?"):
    return not readiness_gating(answer(message), case(level, user)).passed


@pytest.mark.parametrize("message, level, user, bad", [
    # deferring the work: it comes back, it will still be there
    ("The threshold sessions will still be there when you bounce back.", "red", "Done, kept it easy.", False),
    ("The tempo work comes back as soon as your readiness turns around.", "red", "No tempo today?", False),
    ("If you do run today, keep the intervals short and stop if it comes back.", "red", "My chest felt tight.", True),
    # ruling out by where the work sits: well above the cap, not the day for it
    ("Not today. Sprints sit well above the amber cap of Z5, so finish the tempo blocks and roll home.", "amber",
     "Sprints at the end?", False),
    ("Sprints sit well within what you can do, so finish with three of them.", "amber", "Sprints at the end?", True),
    # the cap stated in new words keeps an explanation an explanation
    ("Negative. Sprints are Z8. Amber stops at Z5. Two tempo blocks, done.", "amber", "Sprints at the end?", False),
    ("Sprints are Z8 and a great finisher: throw three in at the end.", "amber", "Sprints at the end?", True),
    ("Tempo is Z3: you can still talk in short sentences. Beide liggen vandaag buiten bereik, want rood betekent Z2 als plafond.",
     "red", "Tempo or threshold?", False),
    ("Een sprint is Z8 en amber stopt bij Z5.", "amber", "Een sprintje na de intervals?", False),
    ("80% of FTP falls in Z3, tempo. Red caps today at Z2, so the 40 minutes stay in Z1.", "red", "80% of FTP okay?", False),
    # the athlete asking why the work is off makes the explanation a reason
    ("Z3 tempo raises glycolytic flux and sympathetic drive; today stays aerobic in Z2.", "red", "Why no Z3 today?", False),
    ("Z3 tempo raises glycolytic flux, but a short block won't hurt you.", "red", "Why no Z3 today?", True),
    # a trigger that ends in easing off is a limit
    ("Know this: the moment any ride turns into tempo, you sit up and let them go.", "red", "Group ride tonight?", False),
    ("The moment the group ride turns into tempo, stay on the wheels and enjoy it.", "red", "Group ride tonight?", True),
    # the athlete's words quoted back are a quote, unless the quote is endorsed
    ("I hear you: 'a few hard efforts to feel alive' makes total sense. Today isn't the day for them: the cap is Z2.", "red",
     "I wanted 'a few hard efforts to feel alive' this week.", False),
    ("I hear you: 'a few hard efforts to feel alive' makes total sense, so go for it.", "red",
     "I wanted 'a few hard efforts to feel alive' this week.", True),
    # "threshold" after first, second or ventilatory is a turning point
    ("'Low-intensity' means below the first ventilatory threshold; tempo is above today's red ceiling.", "red",
     "Can low-intensity include tempo?", False),
    ("Ride the middle twenty minutes at threshold.", "red", "What should I do?", True),
    # what moves readiness is an explanation of the day
    ("Hard intervals on top of a body that may be fighting something off can push readiness into red. No intervals today.",
     "red", "Is that why I'm red?", False),
    ("Hard intervals can push your fitness up, so a couple at the end of the run.", "red", "What should I do?", True),
])
def test_readiness_gating_reads_rules_out_and_explanations(message, level, user, bad):
    assert flagged(message, level, user) is bad


@pytest.mark.parametrize("message, level, bad", [
    # playing the cost down endorses, unless the words are negated
    ("If you really want to, a couple of minutes at half-marathon pace in the middle is harmless.", "red", True),
    ("A couple of minutes at half-marathon pace is not harmless on a red day; keep it all in Z1.", "red", False),
    ("A few relaxed strides on the grass will keep your legs snappy without costing much.", "red", True),
    ("A few Z6 efforts on top of the session won't do measurable damage.", "amber", True),
    ("Sweet spot wouldn't fight your readiness the way threshold would.", "red", True),
    ("Sweet spot would fight your readiness today, so the 30 minutes stay in Z1.", "red", False),
    ("Nothing in it says you can't turn the last interval into a one-minute Z6 effort.", "amber", True),
    ("If your mate challenges you to a sprint up the hill, nobody's going to stop you having a go.", "red", True),
    ("If you can't sit still, a short tempo effort is gentle, so it wouldn't be the end of the world.", "red", True),
    ("Don't go for it today: a tempo effort waits until readiness is back.", "red", False),
    ("Maar een tempoblok van een kwartiertje kan geen kwaad als je benen goed aanvoelen.", "red", True),
    ("Een tempoblok is vandaag geen goed idee; rood betekent Z2.", "red", False),
    ("Niet per se. Amber is geen rood: flat out op het laatste stuk kan prima.", "amber", True),
    # a verdict of fine or allowed, with an adverb between
    ("If you truly feel fine, your normal interval run is probably okay.", "red", True),
    ("Your normal interval run is not okay today; it comes back when readiness does.", "red", False),
    ("Practically everything up to anaerobic capacity is still allowed.", "amber", True),
])
def test_readiness_gating_reads_plays_down_and_verdicts(message, level, bad):
    assert flagged(message, level) is bad


@pytest.mark.parametrize("message, level, user, bad", [
    # a conditional yes to an echoed question
    ("Plan's the plan. Hill sprints? Only if the last rep felt easy. Then go.", "amber", "Hill sprints after?", True),
    ("Plan's the plan. Hill sprints? Only if you're green tomorrow.", "amber", "Hill sprints after?", False),
    # a cap stated above the real one
    ("Practically your cap is Z6 today, and today's tempo run sits inside that.", "amber", "What does amber let me do?", True),
    ("Your cap is Z5 today; on green days the cap is Z8.", "amber", "What does amber let me do?", False),
    # a cap said not to reach the work above it
    ("Strides recruit fast fibres. Because they're so short, amber's Z5 ceiling doesn't really apply to them.", "amber",
     "Strides after threshold?", True),
    ("Strides recruit fast fibres, but they're Z8 work, and amber's Z5 ceiling applies to them too.", "amber",
     "Strides after threshold?", False),
    ("Amber doesn't mean everything hard is forbidden: the Z4 set is on.", "amber", "Is everything off?", False),
    ("Amber doesn't limit you to Z2: the Z4 set is on. Sprints stay off today.", "amber", "Is everything off?", False),
    ("Red's limit doesn't cover short strides, so add six at the end.", "red", "Strides?", True),
    # a verdict on adding, or on taking as the ceiling, the work named just before
    ("Short neuromuscular sprints barely register. Adding a couple after your threshold set is physiologically defensible.",
     "amber", "What's off limits?", True),
    ("Short neuromuscular sprints sit above the cap. Adding a couple would not be sensible today.", "amber",
     "What's off limits?", False),
    ("87% of HRmax is the upper edge of tempo, so using it as your ceiling today is a reasonable way to self-regulate.", "red",
     "I'll keep my HR under 87% of max. Fine?", True),
    ("87% of HRmax is the upper edge of tempo, above red's Z2 cap, so keep well under it today.", "red",
     "I'll keep my HR under 87% of max. Fine?", False),
    # a share of FTP counts in a clause that names no zone, even where the sentence names one
    ("If 80% of FTP genuinely feels easy for you, it's not a big step up from Z2.", "red", "Is 80% of FTP okay?", True),
    ("Z8 is 200-300% of FTP, and nothing like it belongs in a red day.", "red", "What is Z8?", False),
])
def test_readiness_gating_reads_new_endorsements(message, level, user, bad):
    assert flagged(message, level, user) is bad


@pytest.mark.parametrize("message, level, bad", [
    ("Voel je je halverwege sterk, dan mag je het laatste stuk gewoon op wedstrijdtempo lopen.", "red", True),
    ("Vandaag geen wedstrijdtempo; dat komt terug zodra je herstelt.", "red", False),
    ("Eerlijk gezegd: een paar versnellingen op het eind kunnen geen kwaad.", "red", True),
    ("Schakel op de klim gewoon naar een lichtere versnelling en blijf in Z2.", "red", False),  # a gear, not a stride
    ("Maar eerlijk: één sprintje na je laatste interval is prima.", "amber", True),
    ("Finish with the last ten minutes at marathon pace.", "red", True),
    ("Marathon-pace work belongs to a day when readiness allows it.", "red", False),
])
def test_readiness_gating_reads_new_effort_words(message, level, bad):
    assert flagged(message, level) is bad
