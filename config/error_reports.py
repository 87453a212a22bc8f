"""What an error e-mail to ADMINS may show: the traceback and the request's path and headers, but
no form data and no local variables, which hold students' names, addresses and phone numbers."""

from django.views.debug import SafeExceptionReporterFilter

HIDDEN = "********"


class NoPersonalDataReporterFilter(SafeExceptionReporterFilter):
    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, HIDDEN)

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, HIDDEN) for name in tb_frame.f_locals]
