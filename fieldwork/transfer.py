"""What packages carry, in one shape on both sides: each record as its
content (the fields a person edits), its authorship and a hash of the content.

The hash is how a return is compared (services/returns.py): equal contents
are the same record whatever the version numbers or clocks say, which is what
makes importing the same package twice a no-op.
"""

import datetime
import hashlib
import io
import json
import zipfile

from django.core.serializers.json import DjangoJSONEncoder

from fieldwork.models import FieldRecord, Petition, ProblemLink
from rounds.models import Problem

PROBLEM_FIELDS = (
    "target", "category", "description", "source", "severity", "immediate_fix", "found_on",
    "status",
)  # fmt: skip


def _plain(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def content_hash(content: dict) -> str:
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder).encode()
    ).hexdigest()


def record_content(record: FieldRecord, problem_uuids: dict[int, str]) -> dict:
    content = {}
    for name in record.CONTENT_FIELDS:
        if name == "target":
            content[name] = record.target_id
        elif name == "problem":
            content[name] = problem_uuids.get(record.problem_id) if record.problem_id else None
        else:
            content[name] = _plain(getattr(record, name))
    return content


def record_entry(record: FieldRecord, usernames: dict[int, str], problem_uuids) -> dict:
    content = record_content(record, problem_uuids)
    return {
        "uuid": str(record.uuid),
        "kind": record.KIND,
        "content": content,
        "hash": content_hash(content),
        "created_by": usernames[record.created_by_id],
        "created_at": record.created_at.isoformat(),
        "updated_by": usernames[record.updated_by_id],
        "updated_at": record.updated_at.isoformat(),
        "version": record.version,
    }


def problem_content(problem: Problem, category_codes: dict[int, str]) -> dict:
    return {
        "target": problem.target_id,
        "category": category_codes[problem.category_id],
        "description": problem.description,
        "source": problem.source,
        "severity": problem.severity,
        "immediate_fix": problem.immediate_fix,
        "found_on": problem.found_on.isoformat(),
        "status": problem.status,
    }


def problem_entry(problem: Problem, link_uuid: str, usernames, category_codes) -> dict:
    content = problem_content(problem, category_codes)
    return {
        "uuid": link_uuid,
        "kind": "problem",
        "content": content,
        "hash": content_hash(content),
        "found_by": usernames[problem.found_by_id],
        "updated_at": problem.updated_at.isoformat(),
    }


WORKLOG_FIGURES = (
    "interviews",
    "documents",
    "petitions",
    "visits",
    "site_checks",
    "problems_found",
)


def worklog_key(date: str) -> str:
    """A work log's identity on both sides: one per team per day (the team is the package's)."""
    return f"worklog:{date}"


def worklog_content(log) -> dict:
    return {
        "date": log.date.isoformat(),
        **{name: getattr(log, name) for name in WORKLOG_FIGURES},
        "narrative": log.narrative,
    }


def worklog_entry(log, usernames) -> dict:
    content = worklog_content(log)
    return {
        "uuid": worklog_key(content["date"]),
        "kind": "worklog",
        "content": content,
        "hash": content_hash(content),
        "filed_by": usernames[log.filed_by_id],
        "updated_at": log.updated_at.isoformat(),
    }


CLUE_FIELDS = (
    "person_name", "person_position", "person_rank", "person_is_top_leader", "discipline",
    "source", "confidentiality", "summary", "urgent",
)  # fmt: skip


def clue_content(clue, department_codes: dict[int, str], problem_uuids: dict[int, str]) -> dict:
    return {
        "target": clue.target_id,
        **{name: getattr(clue, name) for name in CLUE_FIELDS},
        "department": department_codes[clue.department_id],
        "problems": sorted(problem_uuids[pk] for pk in clue.problem_pks if pk in problem_uuids),
    }


def clue_entry(clue, link_uuid: str, usernames, department_codes, problem_uuids) -> dict:
    content = clue_content(clue, department_codes, problem_uuids)
    return {
        "uuid": link_uuid,
        "kind": "clue",
        "content": content,
        "hash": content_hash(content),
        "drafted_by": usernames[clue.drafted_by_id],
        "drafted_at": clue.drafted_at.isoformat(),
    }


def ensure_clue_links(clues) -> dict[int, str]:
    from fieldwork.models import ClueLink

    clues = list(clues)
    links = dict(ClueLink.objects.filter(clue__in=clues).values_list("clue_id", "uuid"))
    missing = [ClueLink(clue=c) for c in clues if c.pk not in links]
    ClueLink.objects.bulk_create(missing)
    links.update({link.clue_id: link.uuid for link in missing})
    return {pk: str(value) for pk, value in links.items()}


def ensure_problem_links(problems) -> dict[int, str]:
    """Each problem's UUID (problem pk → uuid), giving one to those without."""
    problems = list(problems)
    links = dict(ProblemLink.objects.filter(problem__in=problems).values_list("problem_id", "uuid"))
    missing = [ProblemLink(problem=p) for p in problems if p.pk not in links]
    ProblemLink.objects.bulk_create(missing, batch_size=1000)
    links.update({link.problem_id: link.uuid for link in missing})
    return {pk: str(value) for pk, value in links.items()}


def petition_problem_pks(records) -> set[int]:
    return {r.problem_id for r in records if isinstance(r, Petition) and r.problem_id}


def zip_payload(manifest: dict, data: dict, files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder))
        for name, content in files.items():
            # Attachments are mostly compressed already (PDF, JPEG): store them.
            archive.writestr(f"files/{name}", content, compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


def unzip_payload(payload: bytes) -> tuple[dict, dict, zipfile.ZipFile]:
    archive = zipfile.ZipFile(io.BytesIO(payload))
    manifest = json.loads(archive.read("manifest.json"))
    data = json.loads(archive.read("data.json"))
    return manifest, data, archive
