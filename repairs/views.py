"""Web views of tickets. For now: serving attachments safely (the pages arrive with the web app)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from repairs import selectors
from repairs.models import Attachment


def attachment_response(attachment: Attachment) -> FileResponse:
    """A download that no browser will run: attachment disposition, the type we sniffed at upload,
    no sniffing, and a CSP that forbids scripts even if it were rendered."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def attachment_download(request, reference: str, attachment_id: int):
    ticket = selectors.visible_tickets(user=request.user).filter(reference=reference).first()
    if ticket is None:
        raise Http404
    return attachment_response(get_object_or_404(Attachment, pk=attachment_id, ticket=ticket))


@login_required
def home(request):
    return render(request, "repairs/home.html", selectors.home_summary(user=request.user))
