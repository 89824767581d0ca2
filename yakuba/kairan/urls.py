from yakuba.kairan import views, views_circulars, views_households, views_members

app_name = "kairan"
urlpatterns = [
    *views.urlpatterns,
    *views_circulars.urlpatterns,
    *views_members.urlpatterns,
    *views_households.urlpatterns,
]
