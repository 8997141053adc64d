"""What an audit entry may say about case data: what changed, never its content.

The auditor reads every entry, but is not cleared for case content (an
unreleased problem's description, a 被反映人's name in a clue's return
reason, the file name of a piece of evidence). So for entries about case
models, and for case actions with no object (exports), ``log_action``
keeps a value only when it cannot carry content:

- numbers, booleans and nulls (ids, counts, flags);
- short codes (statuses, dates, digests, handover numbers) under a key on
  the allow-list below (the common list plus the model's own).

Every other value is dropped and its key listed under ``withheld``; a
before/after pair becomes ``changed`` (the field names) plus the safe values.
Entries about accounts, organizations, reports and imports are not case data
and keep their values.
"""

import re

# Models whose rows are case data (by app label and model name).
CASE_APPS = {"clues", "rectification"}
CASE_MODELS = {
    "rounds.problem",
    "rounds.problemattachment",
    "rounds.worklog",
    "rounds.weeklysummary",
}
# Case actions that may have no object (exports carry the list's filters).
CASE_ACTION_PREFIXES = {
    "accountability",
    "assessment",
    "clue",
    "evidence",
    "follow_up",
    "item",
    "ledger",
    "plan",
    "problem",
    "recommendation",
    "survey",
    "weekly_summary",
    "worklog",
}

# Keys whose short code values are safe for every case entry: states, dates,
# ids, numbers and digests, never free text.
SAFE_KEYS = {
    "from",
    "to",
    "status",
    "state",
    "verdict",
    "method",
    "kind",
    "role",
    "date",
    "due",
    "week_start",
    "entry_date",
    "exit_date",
    "feedback_date",
    "found_on",
    "deadline",
    "sha256",
    "uuid",
    "number",
    "numbers",
    "round",
    "team",
    "target",
    "department",
    "category",
    "is_final",
    "urgent",
    # what redaction itself writes: field names (so redacting twice changes nothing)
    "changed",
    "withheld",
    "fields",
}
# A model's own safe keys, beyond SAFE_KEYS.
MODEL_SAFE_KEYS: dict[str, set[str]] = {
    "rounds.problem": {"severity", "source", "immediate_fix"},
    "rectification.item": {"due_date", "completed_on"},
    "rectification.plan": {"submitted_on", "accepted_on"},
    "clues.clue": {"disposition_due"},
}

# Statuses, ISO dates and times, hex digests, numbers such as XC2026-00012.
_CODE = re.compile(r"^[A-Za-z0-9_.:+\-]{0,64}$")


def is_case(object_type: str, action: str) -> bool:
    app = object_type.partition(".")[0]
    return (
        app in CASE_APPS
        or object_type in CASE_MODELS
        or action.partition(".")[0] in CASE_ACTION_PREFIXES
    )


def _safe(key: str, value, safe_keys: set[str]) -> bool:
    if value is None or isinstance(value, bool | int | float):
        return True
    if isinstance(value, str):
        return key in safe_keys and bool(_CODE.match(value))
    if isinstance(value, list | tuple):
        return all(_safe(key, v, safe_keys) for v in value)
    return False


def redact(data: dict, *, safe_keys: set[str]) -> dict:
    """``data`` (already JSON-shaped) with every value that may be content
    replaced by its key's name under ``withheld``."""
    out: dict = {}
    withheld: set[str] = set()
    before, after = data.get("before"), data.get("after")
    paired = isinstance(before, dict) or isinstance(after, dict)
    if paired:
        before = before if isinstance(before, dict) else {}
        after = after if isinstance(after, dict) else {}
        out["changed"] = sorted(set(before) | set(after))
        for side, values in (("before", before), ("after", after)):
            kept = {k: v for k, v in values.items() if _safe(k, v, safe_keys)}
            if kept:
                out[side] = kept
    for key, value in data.items():
        if paired and key in ("before", "after"):
            continue
        if isinstance(value, dict):  # an export's filters, say
            out[key] = redact(value, safe_keys=safe_keys)
        elif _safe(key, value, safe_keys):
            out[key] = value
        else:
            withheld.add(key)
    if withheld:
        out["withheld"] = sorted(withheld | set(out.get("withheld", [])))
    return out


def redact_entry(object_type: str, action: str, data: dict) -> dict:
    if not is_case(object_type, action):
        return data
    return redact(data, safe_keys=SAFE_KEYS | MODEL_SAFE_KEYS.get(object_type, set()))


def case_object_repr(obj, object_type: str, kinds: dict[str, str] | None = None) -> str | None:
    """A case object's name in the log: its kind and number, never its
    ``__str__`` (a problem's is the start of its description). ``kinds``
    keeps the translated kinds across a bulk write's entries."""
    app = object_type.partition(".")[0]
    if app not in CASE_APPS and object_type not in CASE_MODELS:
        return None
    kinds = {} if kinds is None else kinds
    kind = kinds.get(object_type) or kinds.setdefault(object_type, str(obj._meta.verbose_name))
    number = getattr(obj, "number", None)
    if isinstance(number, str) and _CODE.match(number):
        return f"{kind} {number}"
    return f"{kind} #{obj.pk}"
