from django.shortcuts import get_object_or_404, render

from .models import Qualification
from .selectors import competencies_by_category, descriptor_groups, qualification_with_standard
from .translation import AUTHENTIC_LANGUAGE, active_language


def qualification_list(request):
    return render(request, "qualifications/list.html", {"qualifications": Qualification.objects.all()})


def qualification_detail(request, code: str):
    qualification = get_object_or_404(qualification_with_standard(), code=code)
    context = {
        "qualification": qualification,
        "categories": competencies_by_category(qualification),
        "descriptor_groups": descriptor_groups(qualification),
        "is_translation": active_language() != AUTHENTIC_LANGUAGE,
    }
    return render(request, "qualifications/detail.html", context)
