from django.urls import path

from . import views

urlpatterns = [
    path("", views.inbox, name="notification-inbox"),
    path("read-all/", views.read_all, name="notification-read-all"),
    path("<int:pk>/read/", views.read, name="notification-read"),
    path("preferences/", views.preferences, name="notification-preferences"),
    path("sms/status/", views.sms_status_callback, name="sms-status-callback"),
]
