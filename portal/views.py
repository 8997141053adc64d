from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from portal.home import home_cards


@login_required
def home(request):
    return render(request, "core/home.html", {"cards": home_cards(request.user)})
