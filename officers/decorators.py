"""The officer workspace is for officers and supervisors only: anyone else gets 403.

The gates live in ``accounts.decorators``, so that pages of the workspace owned by other apps
(the reports' review) use the same ones.
"""

from accounts.decorators import officer_required, supervisor_required

__all__ = ["officer_required", "supervisor_required"]
