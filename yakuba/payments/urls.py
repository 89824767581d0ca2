from django.urls import path

from yakuba.payments import views, views_childcare, views_costmodel

app_name = "payments"
urlpatterns = [
    path("payments/register/", views.register_view, name="register"),
    path("payments/sales/<str:number>/", views.sale_view, name="sale"),
    path("payments/sales/<str:number>/pay/", views.pay_view, name="pay"),
    path("payments/sales/<str:number>/cancel/", views.sale_cancel_view, name="sale_cancel"),
    path("payments/payments/<str:number>/receipt.pdf", views.receipt_view, name="receipt"),
    path("payments/payments/<str:number>/void/", views.void_view, name="void"),
    path("payments/close/", views.close_view, name="close"),
    path("payments/close/<str:drawer>/<str:day>/", views.close_detail_view, name="close_detail"),
    path("payments/close/<str:drawer>/<str:day>/report.csv", views.close_csv_view, name="close_csv"),
    path("payments/close/<str:drawer>/<str:day>/report.pdf", views.close_pdf_view, name="close_pdf"),
    path("payments/fees/", views.fees_view, name="fees"),
    path("payments/cost-model/", views_costmodel.cost_model_view, name="cost_model"),
    *views_childcare.urlpatterns,
]
