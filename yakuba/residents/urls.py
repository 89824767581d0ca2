from django.urls import path

from yakuba.residents import views

app_name = "residents"
urlpatterns = [
    path("", views.search_view, name="search"),
    path("households/<str:setai_no>/", views.household_view, name="household"),
    path("people/<str:atena_no>/", views.resident_view, name="resident"),
    path("idou/", views.idou_list_view, name="idou_list"),
    path("idou/<int:idou_id>/", views.idou_detail_view, name="idou_detail"),
    path("idou/new/move-in/", views.move_in_view, name="move_in"),
    path("idou/new/<str:setai_no>/address-change/", views.address_change_view, name="address_change"),
    path("idou/new/<str:setai_no>/move-out/", views.move_out_view, name="move_out"),
    path("idou/new/<str:setai_no>/birth/", views.birth_view, name="birth"),
    path("idou/new/<str:setai_no>/split/", views.split_view, name="split"),
    path("idou/new/<str:setai_no>/merge/", views.merge_view, name="merge"),
    path("idou/new/<str:setai_no>/head-change/", views.head_change_view, name="head_change"),
    path("idou/new/person/<str:atena_no>/death/", views.death_view, name="death"),
    path("idou/new/person/<str:atena_no>/correction/", views.correction_view, name="correction"),
]
