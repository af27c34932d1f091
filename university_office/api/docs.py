"""The Swagger UI at ``/api/docs/`` under the portal's strict CSP.

drf-spectacular's split view sends the UI's set-up script from a URL (``?script``) instead of an
inline ``<script>``, and the sidecar package's files come from our own static files; the page's
own template (``templates/university_office/api_docs.html``) has no inline style either.
"""

from __future__ import annotations

from drf_spectacular.views import SpectacularSwaggerSplitView


class ApiDocsView(SpectacularSwaggerSplitView):
    template_name = "university_office/api_docs.html"
