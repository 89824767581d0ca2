"""The assistant's staff pages (included by ``urls.py`` inside the "assistant" namespace)."""

from django.urls import path

from yakuba.assistant import views_staff

urlpatterns = [
    path("assistant/staff/faq/", views_staff.faq_list, name="faq_list"),
    path("assistant/staff/faq/new/", views_staff.faq_create, name="faq_create"),
    path("assistant/staff/faq/<int:pk>/", views_staff.faq_edit, name="faq_edit"),
    path("assistant/staff/faq/<int:pk>/delete/", views_staff.faq_delete, name="faq_delete"),
    path("assistant/staff/departments/", views_staff.department_list, name="department_list"),
    path("assistant/staff/departments/new/", views_staff.department_create, name="department_create"),
    path("assistant/staff/departments/<int:pk>/", views_staff.department_edit, name="department_edit"),
    path("assistant/staff/sources/", views_staff.source_list, name="source_list"),
    path("assistant/staff/sources/new/", views_staff.source_create, name="source_create"),
    path("assistant/staff/sources/<int:pk>/", views_staff.source_edit, name="source_edit"),
    path("assistant/staff/sources/<int:pk>/sync/", views_staff.source_sync, name="source_sync"),
    path("assistant/staff/report/", views_staff.report, name="report"),
]
