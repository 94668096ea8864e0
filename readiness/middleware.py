from django.utils import timezone

from .selectors import province_zone


class RegionTimezoneMiddleware:
    """Show times in the local zone of the user's province (WIB, WITA or WIT)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.region_id:
            timezone.activate(province_zone(user.region_id))
        else:
            timezone.deactivate()
        return self.get_response(request)
