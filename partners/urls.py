from django.urls import path

from . import area, views

app_name = "partners"

urlpatterns = [
    path("partners/", views.partner_list, name="list"),
    path("partners/become-a-partner/", views.become_a_partner, name="become"),
    path("partners/apply/", views.apply, name="apply"),
    path("partners/opportunities/<int:pk>/", views.opportunity_detail, name="opportunity"),
    path("partners/<slug:slug>/", views.partner_detail, name="detail"),
    # The partner area: members of an organisation only.
    path("partner-area/", area.area_home, name="area-home"),
    path(
        "partner-area/invitations/<str:token>/",
        area.accept_invitation,
        name="accept-invitation",
    ),
    path("partner-area/<slug:slug>/", area.dashboard, name="area"),
    path("partner-area/<slug:slug>/profile/", area.profile, name="profile"),
    path("partner-area/<slug:slug>/colleagues/", area.members, name="members"),
    path(
        "partner-area/<slug:slug>/colleagues/<int:pk>/remove/",
        area.remove_member,
        name="remove-member",
    ),
    path(
        "partner-area/<slug:slug>/opportunities/new/",
        area.opportunity_create,
        name="opportunity-create",
    ),
    path(
        "partner-area/<slug:slug>/opportunities/<int:pk>/",
        area.opportunity_edit,
        name="opportunity-edit",
    ),
    path(
        "partner-area/<slug:slug>/opportunities/<int:pk>/close/",
        area.opportunity_close,
        name="opportunity-close",
    ),
    path(
        "partner-area/<slug:slug>/skills-needs/new/",
        area.skills_need_create,
        name="skills-need-create",
    ),
]
