"""The settings of payments that change rarely (registers, exemptions, facilities, campaigns), for the
system administrator; prices themselves are edited by the 会計管理者 on /payments/fees/."""

from django.contrib import admin

from yakuba.payments.models import CampaignPrice, Drawer, Exemption, Facility, FeeItem


@admin.register(FeeItem)
class FeeItemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "window_price", "kiosk_price", "active", "order")
    list_editable = ("active", "order")


@admin.register(CampaignPrice)
class CampaignPriceAdmin(admin.ModelAdmin):
    list_display = ("label", "item", "channel", "price", "starts_on", "ends_on")
    list_filter = ("channel",)


@admin.register(Exemption)
class ExemptionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "active")


@admin.register(Drawer)
class DrawerAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "change_fund")
    fields = ("code", "name", "change_fund", "fund_pieces")


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
