"""Who may see a job: its owner only. Another person's job, another administrator's too, is a 404."""

from django.shortcuts import get_object_or_404

from .models import Job


def job_for(request, job_pk: int) -> Job:
    return get_object_or_404(Job.objects.for_user(request.user), pk=job_pk)
