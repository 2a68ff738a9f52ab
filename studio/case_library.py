"""The case studies offered by this installation, stored in the database.

The shipped studies (components/case_studies/*.json) are loaded after every `migrate`;
`manage.py load_case_studies PATH ...` adds or updates a team's own. Every study is
checked by components.case_studies before it is stored.
"""

from __future__ import annotations

from pathlib import Path

from components import case_studies
from studio.models import CaseStudy


def load(paths: list[str | Path] | None = None) -> list[str]:
    """Store the studies found in `paths` (files or folders; default: the shipped ones).

    All are checked before any is stored, so a bad file changes nothing. Returns the slugs.
    """
    found: list[case_studies.CaseStudy] = []
    for path in [Path(p) for p in paths] if paths else [case_studies.DATA_DIR]:
        if path.is_dir():
            found.extend(case_studies.load_directory(path).values())
        else:
            found.append(case_studies.load_file(path))
    for study in found:
        CaseStudy.objects.update_or_create(
            slug=study.slug,
            defaults={"title": study.title, "summary": study.summary, "content": study.to_dict()},
        )
    return [study.slug for study in found]


def get(slug: str) -> case_studies.CaseStudy | None:
    row = CaseStudy.objects.filter(slug=slug).first()
    return case_studies.from_dict(row.content, row.slug) if row else None


def listing() -> list[CaseStudy]:
    return list(CaseStudy.objects.only("slug", "title", "summary"))
