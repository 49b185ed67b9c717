from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("calendar.ics", views.network_calendar, name="calendar"),
    path("calendar/institute/<slug:slug>.ics", views.institute_calendar, name="institute_calendar"),
    path("calendar/subject/<slug:slug>.ics", views.route_calendar, name="route_calendar"),
    path("feed/", views.EventFeed(), name="feed"),
    path("registration/<str:token>/", views.manage, name="manage"),
    path("registration/<str:token>/confirmed/", views.registered, name="registered"),
    path("registration/<str:token>/cancel/", views.cancel, name="cancel"),
    path("registration/<str:token>/accept/", views.accept_offer, name="accept_offer"),
    path(
        "registration/<str:token>/equality/withdraw/",
        views.withdraw_equality_answers,
        name="withdraw_equality",
    ),
    path("registration/<str:token>/feedback/", views.feedback, name="feedback"),
    path("<slug:slug>/", views.event_detail, name="detail"),
    path("<slug:slug>/register/", views.register, name="register"),
    path("<slug:slug>/event.ics", views.event_ics, name="ics"),
]
