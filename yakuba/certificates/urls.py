from django.urls import path

from yakuba.certificates import views

app_name = "certificates"
urlpatterns = [
    path("certificates/", views.window_view, name="window"),
    path("certificates/people/<str:atena_no>/", views.window_issue_view, name="window_issue"),
    path(
        "certificates/people/<str:atena_no>/cards/<str:serial>/unlock/",
        views.card_unlock_view,
        name="card_unlock",
    ),
    path("certificates/issued/<str:number>/", views.issued_view, name="issued"),
    path("certificates/issued/<str:number>/pdf/", views.issued_pdf_view, name="issued_pdf"),
    path("certificates/issued/<str:number>/void/", views.issued_void_view, name="issued_void"),
    path("certificates/seals/", views.seals_view, name="seals"),
    path("certificates/seals/people/<str:atena_no>/", views.seal_person_view, name="seal_person"),
    path("certificates/seals/image/<str:card_number>/", views.seal_image_view, name="seal_image"),
    path("kiosk/", views.kiosk_start_view, name="kiosk_start"),
    path("kiosk/card/", views.kiosk_card_view, name="kiosk_card"),
    path("kiosk/pin/", views.kiosk_pin_view, name="kiosk_pin"),
    path("kiosk/menu/", views.kiosk_menu_view, name="kiosk_menu"),
    path("kiosk/certificates/<str:code>/", views.kiosk_options_view, name="kiosk_options"),
    path("kiosk/print/<str:number>/", views.kiosk_print_view, name="kiosk_print"),
    path("kiosk/print/<str:number>/pdf/", views.kiosk_pdf_view, name="kiosk_pdf"),
    path("verify/", views.verify_view, name="verify"),
]
