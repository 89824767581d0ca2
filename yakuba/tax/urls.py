from django.urls import path

from yakuba.tax import views

app_name = "tax"
urlpatterns = [
    path("", views.import_view, name="import"),
]
