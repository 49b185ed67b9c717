from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("", views.course_list, name="list"),
    path("shortlist/", views.shortlist, name="shortlist"),
    path("saved-searches/", views.saved_searches, name="saved_searches"),
    path("saved-searches/save/", views.save_current_search, name="save_search"),
    path("saved-searches/<int:pk>/delete/", views.delete_saved_search, name="delete_saved_search"),
    path("<slug:slug>/", views.course_detail, name="detail"),
    path("<slug:slug>/enquire/", views.enquire, name="enquire"),
    path("<slug:slug>/enquire/sent/", views.enquiry_sent, name="enquiry_sent"),
    path("<slug:slug>/shortlist/", views.shortlist_toggle, name="shortlist_toggle"),
]
