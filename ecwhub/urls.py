from django.contrib import admin
from django.urls import include, path

from ecwhub.accounts import home
from ecwhub.accounts import views as account_views
from ecwhub.api import api
from ecwhub.core import views as core_views

admin.site.site_header = "ECW Hub administration"
admin.site.site_title = "ECW Hub"

urlpatterns = [
    path("", home.home, name="home"),
    path("accounts/", include("ecwhub.accounts.urls")),
    path("families/", include("ecwhub.families.urls")),
    path("directory/search/", include("ecwhub.directory.search.urls")),
    path("directory/", include("ecwhub.directory.urls")),
    path("", include("ecwhub.consent.urls")),
    path("", include("ecwhub.screening.urls")),
    path("care/", include("ecwhub.care.urls")),
    path("referrals/", include("ecwhub.referrals.urls")),
    path("pathways/", include("ecwhub.pathways.urls")),
    path("", include("ecwhub.careplans.urls")),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("health/", core_views.health, name="health"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

handler404 = "ecwhub.core.views.not_found"
handler500 = "ecwhub.core.views.server_error"
handler403 = "ecwhub.core.views.forbidden"
