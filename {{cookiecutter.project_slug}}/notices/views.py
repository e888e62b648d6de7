from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from notices.models import Notice


@login_required
def notice_list(request):
    """The latest notices: an ordinary read, served by the replica when there is one."""
    notices = list(Notice.objects.all()[:20])
    return render(request, "notices/list.html", {"notices": notices})
