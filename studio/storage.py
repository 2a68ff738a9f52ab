"""Static files storage: hashed names (cached for a year) and gzip copies, by WhiteNoise.

Our scripts are ES modules that import each other by relative path (`./canvas.js`).
Django can rewrite those imports to the hashed names (its
`support_js_module_import_aggregation`), but applied to every `*.js` it also reads
`import("../htmx")` inside django-htmx's JSDoc comments and fails; so the same rewriting
is applied to our own modules only (`js/*.js`). A page then loads only hashed, immutable
files, and a repeat view fetches nothing but the page.
"""

from __future__ import annotations

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage

_, _ALL = ManifestStaticFilesStorage._js_module_import_aggregation_patterns
# `import … from "./x.js";` and `import "./x.js";` only: we have no re-exports, and the
# dynamic-import pattern would also rewrite JSDoc type references.
_IMPORT_PATTERNS = (_ALL[0], _ALL[2])


class StaticStorage(CompressedManifestStaticFilesStorage):
    patterns = (*ManifestStaticFilesStorage.patterns, ("js/*.js", _IMPORT_PATTERNS))
