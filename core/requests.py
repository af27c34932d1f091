"""Small request helpers shared by views."""

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict


def post_data(request: HttpRequest) -> QueryDict | None:
    """Bind a form on POST even when the body is empty, so an empty POST is an error, not a GET."""
    return request.POST if request.method == "POST" else None


def post_files(request: HttpRequest) -> MultiValueDict[str, UploadedFile] | None:
    return request.FILES if request.method == "POST" else None
