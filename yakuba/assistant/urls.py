from django.urls import path

from yakuba.assistant import urls_staff, views

app_name = "assistant"
urlpatterns = [
    path("assistant/", views.chat, name="chat"),
    path("assistant/embed/", views.embed, name="embed"),
    path("assistant/widget.js", views.widget_js, name="widget"),
    path("assistant/ask", views.ask, name="ask"),
    path("assistant/feedback", views.feedback, name="feedback"),
    path("assistant/facts/", views.facts, name="facts"),
    path("assistant/faq/<int:pk>/", views.faq_detail, name="faq_detail"),
    path("city/", views.demo_site, name="demo_site_index"),
    path("city/<str:name>", views.demo_site, name="demo_site"),
    *urls_staff.urlpatterns,
]
