"""One clause read as an instruction: the vocabulary of training changes and the clause-level reading that
prescribes_training (josi.core.checks.prescribing) builds on.

Place in the pipeline: core, below every stage; imports only josi.core. What counts as today's session comes
from case.context.planned_session; zone words come from the cards (josi.core.facts). `prescribing_clause` says
why a clause tells the athlete to do what is not planned, or None; `deviates` says what in a clause is not
today's session.
"""
from __future__ import annotations

import re

from josi.core.checks.base import Case
from josi.core.checks.clauses import SPELLED_NUMBERS, normalized
from josi.core.facts import facts

TRAINING = (r"(?:session|workout|run|ride|spin|jog|intervals?|reps?|repeats?|strides?|sprints?|hills?|efforts?|surges?|"
            r"pick-?ups?|fartlek|tempo|threshold|set|block|minutes|mins?|km|kilometres?|kilometers?|miles?|"
            r"warm-?up|cool-?down|rest day|recovery day|recover(?:y|ies)|long run|long ride|pace|intensity|volume|z\d|zone \w+|"
            r"training|plan|today|tomorrow|week|it|them|those|some|a few|a couple|bike|\d+)")
CHANGE_VERB = (r"(?:add(?! up)|tack on|throw in|slip in|sneak in|squeeze in|insert|include|swap|switch|replace|"
               r"turn (?:it|today|this|the \w+) into|make (?:it|today|the \w+|this one) (?:harder|easier|longer|shorter|faster|a)|"
               r"extend|lengthen|shorten|cut|drop|skip|split|double|triple|increase|bump up|ramp up|crank up|tag on|trim|knock|shave|lop|bolt|"
               r"stretch (?:it|the \w+)|bring (?:it|the \w+) forward|move (?:it|the \w+|your \w+) to|change|skip the rest)")
TURN_INTO = re.compile(r"(?:^|\b(?:try|consider|how about|what about|i'?d|you could|why not)\s+)turn(?:ing)? (?:today|it|this|"
                       r"the \w+|your \w+) into\b", re.IGNORECASE)
# Words a prescription can start with: "just", "then", "you could", "if you feel good", "I'd" ...
LEAD = (r"^(?:(?:just|please|now|then|also|so|and|or|maybe|perhaps|simply|definitely|really|ok|okay|well|honestly|"
        r"today|instead|first|finally|afterwards|after that|next|tomorrow|go ahead and|feel free to|you could|you can|"
        r"you might|you should|you'?d better|you may want to|why not|try to|try|let'?s|consider|i'?d|i would|"
        r"i'?d suggest you|i suggest you|i recommend you|if you feel \w+|"
        r"if (?:you'?re|you are|ur|u r|you'?re feeling|your legs (?:feel|are)) (?:\w+ )?\w+|if it were me,? i'?d|"
        r"if it were up to me,? i'?d|my advice is to|my advice|my tip|tip|bonus|optional(?:ly)?)[\s,:]+)*")
IMPERATIVE = re.compile(LEAD + CHANGE_VERB + r"\b(?:\s+\w+){0,6}?\s+" + TRAINING + r"\b", re.IGNORECASE)
INTENSIFY = re.compile(r"^(?:(?:just|now|then|so|today|and|instead|ok|okay|honestly|please)[\s,]+)*(?:go|push|hammer|smash|"
                       r"attack|send it|hit it|empty the tank|race it|floor it)\b(?:\s+\w+){0,3}?\s*(?:hard|harder|all[- ]out|max|"
                       r"flat out|full gas|as hard as|faster|longer|further|to the limit)\b", re.IGNORECASE)
QUESTION = re.compile(r"^(?:do|does|did|are|is|was|were|would|could|should|shall|can|will|want|have)\b.*\?\s*$", re.IGNORECASE)
GERUND_SUGGESTION = re.compile(r"\b(?:try|consider|how about|what about|i'?d suggest|i suggest|i recommend|worth|fancy)\s+"
                               r"(?:adding|tacking|throwing|swapping|switching|replacing|extending|shortening|cutting|dropping|"
                               r"skipping|splitting|doubling|increasing|going|doing|finishing|running|riding)\b"
                               r"(?! (?:it |this |that )?(?:as|like) (?:planned|written|it is|it stands))", re.IGNORECASE)
REPS = re.compile(r"\b(\d+|two|three|four|five|six|seven|eight|nine|ten|twelve)\s*(?:x|×|times|by|keer|sets? of|rounds? of)\s*"
                  r"(\d+|one|two|three|four|five|six|seven|eight|ten|twenty)\b", re.IGNORECASE)
WORKOUT_PIECES = re.compile(
    r"\b(\d+|two|three|four|five|six|seven|eight|nine|ten|twelve|a few|some|a couple of|a set of|several)\s+(?:short |"
    r"quick |fast |hard |uphill |hill |easy |more |extra )?(?:strides|sprints|hill repeats|hill sprints|repeats|reps|"
    r"intervals|efforts|surges|pick-?ups|accelerations|tempo blocks)\b", re.IGNORECASE)
PLAN = re.compile(r"\b(?:here'?s (?:a|your|the|my) (?:plan|workout|session|week)|(?:monday|tuesday|wednesday|thursday|"
                  r"friday|saturday|sunday)\s*:|\bweek \d\s*:|try this (?:workout|session|set))", re.IGNORECASE)
SUGGESTION = re.compile(r"\b(?:you could|you can|you might|why not|try|consider|maybe|perhaps|feel free to|if you feel|"
                        r"i'?d|i would|if it were (?:up to )?me|my suggestion|i suggest|i recommend|how about|what about|"
                        r"it might be worth|you'?re welcome to|go ahead and|let'?s|do|would (?:benefit|help|be good)|"
                        r"worth adding|should)\b", re.IGNORECASE)
GENERAL = re.compile(r"\b(?:usually|typically|often|generally|in general|tends? to|is built from|are built from|athletes|"
                     r"most plans|a plan might|coaches|research|studies|classic|for example|e\.g\.|on (?:hard|easy|some) days|"
                     r"the plan (?:has|includes|uses|puts)|it ends with|it starts with|sessions like)\b", re.IGNORECASE)
ENDORSEMENT = re.compile(r"\b(?:(?:nobody|no one|no-one)'?s? (?:is )?going to stop you|nothing(?:'s| is)? stop(?:s|ping) you|"
                         r"nothing to stop you|(?:won'?t|wouldn'?t|can'?t|doesn'?t|shouldn'?t) (?:really |exactly |actually )?"
                         r"(?:hurt|harm|wreck|ruin|do (?:you )?(?:any )?(?:harm|damage))|never hurts?|"
                         r"(?:a )?(?:good|great|perfect|ideal|nice) (?:slot|time|day|window|moment|chance) for|"
                         r"no harm in|nothing wrong with|no big deal|no rule against|is fine|would be fine|"
                         r"safe bet|good idea|great idea|would do you good|would be (?:good|great|ideal|perfect)|"
                         r"should (?:sort|fix|help|do) (?:it|you|the trick)|(?:will|would|should|can) (?:really )?(?:help|support|speed|do you good))\b",
                         re.IGNORECASE)
# "last 10 minutes at Z3", "Tomorrow: 20 easy", "next week only Z1 spins, 30 minutes max"
SEGMENT = re.compile(r"\b(?:first|last|final) (?:\d+|ten|five|fifteen|twenty|thirty) (?:minutes?|mins?|km|k|miles?)\b"
                     r"(?:\s+[\w']+){0,5}?\s+(?:at|in|to|into) (?:z\d|zone|tempo|threshold|marathon|race|\w+ pace)",
                     re.IGNORECASE)
# A label form ("Tomorrow: 20 easy", "Warm-up: 10 minutes") is a plan; not a lead-in to a definition ("Fun fact: Z8 is
# neuromuscular", "Plainly put: Z6 is anaerobic capacity") nor a zone's own label ("Z4: 87-92% of HRmax").
FUTURE_PLAN = re.compile(r"(?:\b(?:next week|tomorrow|tonight|this evening|later today|today|\w+ day|afterwards|after that|"
                         r"after the \w+|later|post-\w+|both days|on landing)|"
                         r"^(?![\w' -]*\b(?:is|are|means|sits)\b)(?!\s*z\d\s*:)[\w' -]{2,25}:(?=\s*(?:only\s+)?\S+"
                         r"(?![^.;]{0,40}\b(?:is|are|sits|means|covers|spans|lasts|targets|drives|taxes|builds)\b)))"
                         r"\s*[:,]?\s+(?:only\s+)?(?:\d+|z\d|ten|fifteen|twenty|thirty|forty|fifty|sixty)\b",
                         re.IGNORECASE)
GERUND_WOULD = re.compile(r"^(?:adding|including|throwing in|tacking on|finishing with|doing|swapping in)\b.*\bwould\b",
                          re.IGNORECASE)
ORDINAL_EXTRA = re.compile(r"\ba (?:third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\b(?! of)", re.IGNORECASE)
MODAL_SUGGESTION = re.compile(r"\b(?:would|could|i'?d|why not|want to|you might|worth)\b", re.IGNORECASE)
HISTORY = re.compile(r"\b(?:last (?:week|time|month|\w+day'?s?)|earlier|yesterday|you ran|you rode|you did|was|were|used to)\b",
                     re.IGNORECASE)
STRONG_DEVIATION = re.compile(r"\b(?:yoga|pilates|swim\w*|strides|sprints|surges|pick-?ups|push-?ups|fartlek|a double|"
                              r"strength (?:sessions?|work|training|routine)|squats|step-ups|lunges|planks?|core work|mobility)\b",
                              re.IGNORECASE)
# Verbless or pronoun-led additions that take their instruction from the rest of the sentence:
# "Take the 45-minute spin, and if you must, another hour on the rollers tonight".
ADDITION = re.compile(r"\b(?:another|an extra|a second|one more) (?:hour|\d+|\w+ minutes?|session|run|ride|spin|jog|set|rep|"
                      r"interval|block|workout|loop|lap|mile|km|climb|hill)\b", re.IGNORECASE)
# A verbless aside that hedges an addition: "Oh, and maybe an extra loop of the park".
HEDGED_ASIDE = re.compile(r"(?:^|[,;:]\s*|\band\s+)(?:maybe|perhaps|possibly|optionally|ideally) (?:an?|another|one|some|\d)\b")
# An instruction framed as readiness or permission: "you're ready to stretch it to 110 minutes".
READY_FRAME = re.compile(r"\b(?:ready to|time to|it'?s time to|free to|good to|fine to|okay to|ok to)\s+" + CHANGE_VERB + r"\b",
                         re.IGNORECASE)
# A hypothetical benefit: "A quick 10-minute core routine afterwards would round it off" (checked against today's session).
WOULD_BENEFIT = re.compile(r"\bwould (?:really |also )?(?:round (?:it|things|the day) off|make (?:it|today|this|the \w+) (?:better|more \w+)|"
                           r"help|do you good|be (?:a )?(?:good|great|nice|smart|ideal|perfect|useful)|benefit|pay off|"
                           r"sharpen|support|top (?:it|things) off)\b", re.IGNORECASE)
# An offer to create training: "Want me to put a short race effort on Saturday?"
OFFER = re.compile(r"\b(?:want me to|shall i|should i) (?:put|add|slot|schedule|write|set up|plan|build|throw in|swap|book|"
                   r"pencil)\b", re.IGNORECASE)
# A change said as what a reading or a coach "would" do: "a conservative reading would cap the second block at 10 minutes".
WOULD_CHANGE = re.compile(r"\b(?:would|could|i'?d) (?:\w+ )?(?:cap|cut|shorten|trim|drop|limit|halve|reduce|lengthen|extend|double|"
                          r"swap|split|stretch)\b (?:the|your|it|that|this|today)\b", re.IGNORECASE)
ENGINE_SUBJECT = re.compile(r"\b(?:the engine|the plan|the app|your plan|the system)\b[^.;]{0,30}$", re.IGNORECASE)
# The session split over the day: "Sixty morning, sixty evening."
SPLIT_DAY = re.compile(r"\b(?:\d+|ten|fifteen|twenty|thirty|forty|forty-five|fifty|sixty|an hour|half an hour)\s+(?:minutes?\s+|mins?\s+)?(?:in the\s+)?"
                       r"(?:morning|am|lunch(?:time)?)\b[,;]?\s+(?:and\s+|then\s+)?(?:\d+|ten|fifteen|twenty|thirty|forty|fifty|sixty|"
                       r"an hour|half an hour|the rest)\s+(?:minutes?\s+|mins?\s+)?(?:in the\s+)?(?:evening|pm|afternoon|night|after work)\b",
                       re.IGNORECASE)
# A return-to-training protocol after illness: "a sensible re-entry is 20 to 30 minutes of Z1 for three days".
RETURN_PROTOCOL = re.compile(r"\b(?:re-?entry|return(?:ing)? to (?:training|running|riding|the bike)|comeback|build(?:ing)? back up|"
                             r"ease back in)\b", re.IGNORECASE)
RETURN_DOSE = re.compile(r"\b(?:\d+|ten|fifteen|twenty|thirty|forty)\s*(?:-\s*|to\s+)?(?:\d+\s*)?(?:minutes?|mins?|km)\b|\bz\d\b",
                         re.IGNORECASE)
# A session handed out as a verbless line: "Thirty minute spin, Z1, turn the legs over."
SESSION_LINE = re.compile(r"^(?:then\s+)?(?:\d+|ten|fifteen|twenty|thirty|forty|forty-five|fifty|sixty)[- ](?:minutes?|mins?)\s+"
                          r"(?:\w+\s+)?(?:spin|run|ride|jog|walk|session|workout|cruise|loop|z\d)\b"
                          r"|^then (?:one|two|three|\d+) more\b", re.IGNORECASE)
# A substitute: an order whose object is something other than today's session, "instead".
SUBSTITUTE = re.compile(r"\binstead\b(?! of (?:it|that|this|pushing|going hard|racing))", re.IGNORECASE)
SESSION_NOUN = re.compile(r"\b(?:run|ride|riding|running|loop|tempo|session|workout|hour|spin|jog|intervals|race|hills?|sprints?)\b")
# "slot one in", "fit it in": the inserted thing is named elsewhere in the sentence.
INSERT_PRONOUN = re.compile(r"\b(?:slot|fit|squeeze|sneak|throw|tack|pop) (?:one|them|that|this|a \w+) in\b", re.IGNORECASE)
# Counted sessions handed out as a sequence: "then two easy 30-minute spins".
SESSION_PIECES = re.compile(r"\b(\d+|two|three|four|five|six|seven)\s+(?:(?:short|easy|gentle|light|steady|\w+-minute|\d+-min)\s+){1,3}"
                            r"(?:runs|rides|spins|jogs|walks|sessions|workouts|strength sessions)\b", re.IGNORECASE)
NUMBER_WORD = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|thirty|forty|fifty|sixty)"
SPELLED_NUMBER = re.compile(rf"\b{NUMBER_WORD}\b", re.IGNORECASE)
# A consequence that argues against the work, and what other athletes do: neither is an instruction.
WARNS_AGAINST = re.compile(r"\bwould (?:only )?(?:[\w']+ ){0,4}?(?:worse|backfire|hurt you|undo|cost you|set you back)\b", re.IGNORECASE)
# "Skip them and you lose quality", "cut them short and the reps drift": an order given only to show what it costs.
THREAT = re.compile(r"\band (?:you|it|the \w+|your \w+)(?:'ll| will|'d| would)? (?:only |just )?(?:lose|miss|risk|pay|regret|undo|"
                    r"waste|end up|throw away|blunt|compromise|drift|fade|suffer|blow up|fall apart)\b", re.IGNORECASE)
OTHERS_DO = re.compile(r"^(?:most|many|some|a lot of) (?:runners|riders|athletes|people|beginners|cyclists)\b", re.IGNORECASE)
# "instead of running" swaps the session; "instead of anything harder" explains it.
INSTEAD_OF_DOING = r"instead of (?!anything|something|nothing|everything)\w+ing"
SAFETY = re.compile(r"\b(?:doctor|physio|gp|medical|emergency|urgent care|112|911|999)\b", re.IGNORECASE)


TENS = {word: n for word, n in SPELLED_NUMBERS.items() if n >= 20 and n % 10 == 0}  # twenty to ninety
UNITS = {word: n for word, n in SPELLED_NUMBERS.items() if n < 10}  # one to nine
SPELLED_TENS = re.compile(rf"\b({'|'.join(TENS)})(?:[- ]({'|'.join(UNITS)}))?\b")


def tens_as_digits(text: str) -> str:
    """"seventy-five" -> "75", "forty" -> "40": a tens word is always a number (unlike "one" in "one more")."""
    return SPELLED_TENS.sub(lambda m: str(TENS[m.group(1)] + UNITS.get(m.group(2) or "", 0)), text)


def as_number(token: str) -> int | None:
    token = token.lower()
    return int(token) if token.isdigit() else SPELLED_NUMBERS.get(token)


def context_numbers(case: Case) -> set[int]:
    """Whole numbers of today's planned session. The athlete's own proposal ("can I do 8 reps?") is not
    planned, so a message that tells them to do it still prescribes."""
    session = case.context.planned_session
    text = re.sub(r"\b[zZ]\d\b", " ", f"{session.structure} {session.duration_min}") if session else ""  # "Z2" is a name
    return {int(n) for n in re.findall(r"\d+", text)}


def workout_not_in_context(clause: str, case: Case) -> str | None:
    """Reps x duration or counted workout pieces whose numbers today's session does not contain; where the
    session has reps x duration, a pair it does not have ("make it 4 x 12" when the session is 3 x 12)."""
    known = context_numbers(case)
    session = case.context.planned_session
    planned = {(as_number(m.group(1)), as_number(m.group(2))) for m in REPS.finditer(session.structure)} if session else set()
    for match in REPS.finditer(clause):
        pair = (as_number(match.group(1)), as_number(match.group(2)))
        if set(pair) - known or (planned and pair not in planned):
            return match.group(0)
    for match in WORKOUT_PIECES.finditer(clause):
        count = as_number(match.group(1))
        if count is None or count not in known:
            return match.group(0)
    return None


# A directive: an order, a suggestion or a hypothetical about what to do.
DIRECTIVE = re.compile(
    r"^(?:(?:just|please|now|then|also|so|and|or|maybe|perhaps|simply|ok|okay|well|honestly|today|tomorrow|tonight|"
    r"instead|first|finally|afterwards|next time|before you leave|until then|while you'?re there|for today|given that|"
    r"within that cap|if you want|if you'?d like|if you feel \w+|if you'?re \w+|if \w+ feels? \w+|for what it'?s worth|"
    r"to get more (?:from|out of) it|on grass|last \d+ minutes)[\s,:]+)*"
    r"(?:run|ride|do|add|make|take|walk|jog|hit|start|build|finish|repeat|fit in|tack|push|open it up|ease|spin|swim|"
    r"try|jump in|practi[sc]e|go|sprint(?! (?:power|work|training|zone|efforts?|sessions?|days?|speed|ability|capacity|is|are|belongs?|sits?)\b)|include|throw|swap|skip|cut|drop|shorten|extend|lengthen|nudge|double|"
    r"split|stretch|switch|replace|turn|bump|crank|squeeze|slip|sneak|mix in|hold|keep|trim|knock|shave|bolt|stick to|stick with)\b(?!-)"
    r"|^then (?:\d+|one|two|three|four|five|six|ten|fifteen|twenty|thirty|forty)\b|^(?:then )?(?:\d+|one|two|three) more\b"
    r"|\byou'?d (?:also |still )?(?:get more|do|benefit|be better off|want to|fit in|add|squeeze in|slot in)\b"
    r"|\b(?:you (?:could|can|might)(?: always| still| just| also| even)? (?:do|add|run|ride|try|throw|tack|make|take|go|finish|hit|fit|swap|skip|cut|"
    r"split|double|jump|stretch|extend|lengthen|bank|turn|make|build|stop|slot|squeeze|sneak|trim|knock|shave|cap)|i'?d (?:do|add|run|ride|try|throw|tack|make|take|go|finish|hit|fit|start|put in|convert|turn|"
    r"swap|change|stretch|extend|lengthen|shorten|cut|split|move|double|bump|push|build)|i would|why not|won'?t hurt|no harm in|nothing wrong with|no big deal|no rule against|"
    r"want to (?:add|do|try|run|ride)|could do|would (?:still )?(?:approximate|"
    r"amplify|count|still give|give|make|be (?:a|an)|improve|help|sharpen|(?:really |also )?(?:support|benefit|boost|strengthen))|worth (?:adding|doing|trying)(?! (?:it )?as (?:planned|written|it is))|"
    r"my (?:advice|suggestion|tip)|i (?:suggest|recommend)"
    r"|^let (?:it|the \w+|things|your \w+) (?:drift|creep|climb|rise|build|float|slide|come up|go))\b", re.IGNORECASE)
DEVIATION = re.compile(
    r"\b(?:(?:an )?extra (?:minutes?|reps?|km|set|block|interval|session|run|ride|\d+)|another (?:\d+|easy|hard|set|rep|"
    r"block|session|run|ride|interval|hour|spin|jog)|marathon pace|two sittings|(?:one|two|three|\d+) (?:reps? |blocks? |intervals? )?(?:at lunch(?:time)?|after work|before work|in the (?:morning|evening))|twice|double|triple|uphill|fifth|sixth|seventh|eighth|every (?:morning|day|"
    r"evening|hour)|daily|each (?:morning|day|evening)|morning and evening|push-ups|yoga|walk breaks?|surges?|pick-?ups?|"
    r"strides?|sprints?|fartlek|parkrun|race pace|marathon effort|sweet-?spot|open it up|build through|call it a day|"
    r"a double|identical session|the same session|\d+ more|" + INSTEAD_OF_DOING + r"|progression|commute|run to work|"
    r"ride to work|a couple of times|times this week|stop there|stop after|call it a win|off completely|tomorrow off|(?:one|two|three) more|"
    r"a couple of rest days|half (?:an )?hour|midweek|(?:harder|faster|longer|further) than (?:written|planned|prescribed|the plan|usual)|fast group|group ride|club run|with the club|"
    r"yoga|pilates|swim|cross-train\w*|(?:the )?(?:first|second|last) half of (?:it|the \w+)|half of it|"
    r"half the (?:session|ride|run|distance|time)|(?:first|last|second) (?:block|rep|half|interval)s? (?:a bit |a little )?"
    r"(?:slower|faster|harder|easier)|(?:on )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?)\b",
    re.IGNORECASE)
# A session handed out as a routine: "30 minutes, Z2, every morning", "10 push-ups every hour".
ROUTINE = re.compile(r"\b(?:every (?:other |second )?(?:morning|day|evening|hour|night)|daily|each (?:morning|day|evening)|twice a day|"
                     r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\s+\d+\s*(?:minutes?|min|km))\b",
                     re.IGNORECASE)
DESCRIBES_TODAY = re.compile(r"\b(?:today(?:'s)? (?:is|plan is|session (?:is|keeps|has|includes))|you'?re (?:riding|running) "
                             r"(?:an? |\d)|today'?s an?\b|today:|your (?:session|run|ride) (?:today )?is|"
                             r"the plan (?:says|is))\b", re.IGNORECASE)


def deviates(text: str, case: Case, allow_user: bool = False, instructed: bool = False) -> str | None:
    """What in a clause is not today's session: a number, a zone, or more, extra, twice, uphill ... `instructed`:
    the clause is already known to recommend ("... is a good slot for an easy spin in Z1"), so a zone counts."""
    text = tens_as_digits(text)
    numbers = {int(n) for n in re.findall(r"(?<![a-wyzA-WYZ\d.])\d+(?!\d|\.\d)", text)}
    numbers |= {v for w, v in SPELLED_NUMBERS.items()
                if re.search(rf"\b(?:do|ride|run|make it|go for|aim for) {w}\b", text) or re.search(rf"\b{w}[ -](?:minutes?|mins?|hours?|km|miles?|reps?|x|times|sets?|blocks?|intervals?|sprints?|"
                             rf"strides?|efforts?|seconds?|days?)\b", text)}
    user = {int(n) for n in re.findall(r"\d+", case.user)} if allow_user else set()  # "you only have 30 minutes today"
    user |= {case.context.profile.age} if case.context.profile.age else set()  # "At 43 you can still ..."
    unknown = sorted(numbers - context_numbers(case) - user)
    if unknown:
        return f"numbers {unknown} are not in today's session"
    session = case.context.planned_session
    zones = set(re.findall(r"\bz(\d)\b", text))
    cap = f"z{facts().cap_index(case.context.readiness.level)}"  # naming the day's cap is not a new session
    planned = {session.zone.lower(), *re.findall(r"\bz\d\b", session.structure.lower())} if session else set()  # warm-up Z1 too
    if zones and (session is None or {f"z{z}" for z in zones} - planned - {cap}) and \
            (instructed or DIRECTIVE.search(text) or DESCRIBES_TODAY.search(text)) and \
            not re.search(r"\b(?:cap|capped|ceiling|limit|tops? out|up to|at most|below|under)\b", text):
        return f"zone Z{max(zones)} is not today's session"
    word = DEVIATION.search(text)
    if word and session is not None:
        structure = session.structure.lower()
        zone_before = re.search(r"\b(z\d) " + re.escape(word.group(0)), text)
        # the planned zones' card labels name their work too: a Z8 session is "neuromuscular sprint" work
        labels = " ".join(facts().zones[z.upper()].label.lower() for z in planned if z.upper() in facts().zones)
        singular = re.sub(r"s$", "", word.group(0))
        if singular in structure or singular in labels or (zone_before and zone_before.group(1) in structure):
            return None  # "surges", "Z6 surges" or "sprints" when today's session is built of them
    return f"{word.group(0)!r} is not today's session" if word else None


def asks_for_the_planned_effort(phrase: str, case: Case) -> bool:
    """"Go hard from the start" or "go all-out on every one" on a day whose planned session is built of that work
    (its hardest zone at or above the zone the effort words mean, effort_words card) says how to do today's session.
    A comparative ("push harder", "go faster") or an effort above the planned zones is still a change."""
    session = case.context.planned_session
    if session is None or re.search(r"\b(?:harder|faster|longer|further|limit|as hard as)\b", phrase, re.IGNORECASE):
        return False
    f = facts()
    planned = [session.zone, *(z.upper() for z in re.findall(r"\b[zZ]\d\b", session.structure))]
    hardest = max(f.zones[z].index for z in planned if z in f.zones)
    meant = [f.zones[zone].index for word, zone in f.effort_words.items() if re.search(rf"\b{re.escape(word)}\b", phrase, re.IGNORECASE)]
    if not meant and re.search(r"\bhard\b", phrase, re.IGNORECASE):
        meant = [f.zones[f.effort_words["go hard"]].index] if "go hard" in f.effort_words else []
    return bool(meant) and max(meant) <= hardest


def describes_session(text: str, case: Case) -> bool:
    """An imperative that only restates today's session ("Z2, 50 minutes: go"), or tells them to do it."""
    session = case.context.planned_session
    if session is None:
        return False
    numbers = {int(n) for n in re.findall(r"\d+", text)}
    mentions = session.zone.lower() in text or "session" in text or "today" in text or "it" in text.split()
    plain = not re.search(r"\b(?:add|extra|more|swap|switch|replace|extend|lengthen|shorten|cut|drop|skip|split|double|"
                          r"increase|harder|longer|faster|further|all[- ]out|instead)\b", text)
    return plain and mentions and numbers <= context_numbers(case)


def prescribing_clause(clause: str, is_negated: bool, case: Case, sentence: str = "") -> str | None:
    """Why this clause prescribes or changes training, or None."""
    text = normalized(clause)
    endorsed = bool(ENDORSEMENT.search(text))  # "a 20-minute shakeout won't hurt" endorses despite its "won't"
    if (is_negated and not endorsed) or QUESTION.match(text) and not re.search(r"\b(?:want to|shall i|how about)\b", text):
        return None
    segment = SEGMENT.search(text) or FUTURE_PLAN.search(text)
    if segment and deviates(text, case):
        return f"hands out a plan or a segment that is not today's session ({segment.group(0)!r})"
    if endorsed or GERUND_WOULD.search(text):
        why = deviates(text, case, instructed=True)
        if why:
            return f"endorses work that is not planned ({why})"
    if WARNS_AGAINST.search(text) or (sentence and (OTHERS_DO.match(sentence) or THREAT.search(sentence))):
        return None  # "squeezing another hard day in would make both worse"; "most runners go too fast"
    if re.match(r"(?:do|did|are|is|would|could|was) you\b|take it one day at a time", text) or \
            (text.endswith("?") and len(text.split()) <= 3):  # "Skip them?" echoes the athlete's question
        return None  # a question back to the athlete, or an idiom
    if PLAN.search(text):
        return "hands out a plan or workout"
    if ROUTINE.search(text) and re.search(r"\d|push-?ups|sit-?ups|squats", text):
        return f"hands out a routine ({ROUTINE.search(text).group(0)!r})"
    intensify = INTENSIFY.search(text)
    if intensify and not asks_for_the_planned_effort(intensify.group(0), case):
        # "Go hard from the start today" on an easy day: naming today does not make it today's session
        return f"changes or prescribes training ({intensify.group(0)[-40:]!r})"
    change = IMPERATIVE.search(text) or GERUND_SUGGESTION.search(text) or TURN_INTO.search(text)
    if change and not describes_session(text, case):
        return f"changes or prescribes training ({change.group(0)[-40:]!r})"
    if DIRECTIVE.search(text) or DESCRIBES_TODAY.search(text):
        why = deviates(text, case, allow_user=not DIRECTIVE.search(text))
        if not why and sentence and DIRECTIVE.search(text) and re.search(r"\b" + INSTEAD_OF_DOING + r"\b", sentence):
            why = "instead of the planned session"
        if not why and sentence and STRONG_DEVIATION.search(sentence) and MODAL_SUGGESTION.search(text):
            why = f"{STRONG_DEVIATION.search(sentence).group(0)!r} is not today's session"
        if why:
            return f"tells the athlete to do what is not planned ({why})"
    piece = None if HISTORY.search(text) else workout_not_in_context(text, case)
    if piece and (SUGGESTION.search(text) or not GENERAL.search(text)):
        return f"hands out work that is not today's session ({piece!r})"
    return None

