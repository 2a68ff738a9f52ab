"""Static files storage: hashed names (cached for a year) and gzip copies, by WhiteNoise.

Our scripts are ES modules that import each other by relative path (`./canvas.js`).
Django can rewrite those imports to the hashed names (its
`support_js_module_import_aggregation`), but applied to every `*.js` it also reads
`import("../htmx")` inside django-htmx's JSDoc comments and fails; so the same rewriting
is applied to our own modules only (`js/*.js`). A page then loads only hashed, immutable
files, and a repeat view fetches nothing but the page.
"""

from __future__ import annotations

from django.contrib.staticfiles.apps import StaticFilesConfig as BaseStaticFilesConfig
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage

_, _ALL = ManifestStaticFilesStorage._js_module_import_aggregation_patterns  # type: ignore[attr-defined]
# `import … from "./x.js";` and `import "./x.js";` only: we have no re-exports, and the
# dynamic-import pattern would also rewrite JSDoc type references.
_IMPORT_PATTERNS = (_ALL[0], _ALL[2])


class StaticStorage(CompressedManifestStaticFilesStorage):
    patterns = (*ManifestStaticFilesStorage.patterns, ("js/*.js", _IMPORT_PATTERNS))


class StaticFilesConfig(BaseStaticFilesConfig):
    """Static files, without what no page loads: the vendor copies we do not use (the
    unminified canvas library and its variants, type declarations, htmx 4 and the htmx
    extensions). Fewer files to hash and compress at `collectstatic` (brotli on a 1.3 MB
    script costs seconds) and nothing served that the site does not need."""

    ignore_patterns = [
        *BaseStaticFilesConfig.ignore_patterns,
        "joint.js",
        "joint.nowrap*.js",
        "geometry*.js",
        "*.d.ts",
        "htmx-4*",
        "htmax-*",
        "ext",  # django_htmx/ext: htmx extensions (we use none)
    ]
