"""The demo certificate authority (J-LIS's role) and the cards.

``Card`` stands for the card's secure element: the private key and the PIN counter live here and
nothing outside this module may read the table; other modules use ``interface.py``, which exposes only
what a real card or J-LIS would (the public certificate, a signature after a correct PIN, the
revocation status).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The first certificate serial the demo CA issues.
FIRST_SERIAL = 1_000_001


class CertificateAuthority(models.Model):
    """The one demo CA (row id 1), created lazily by ``ca.ca_get``."""

    private_key_enc = models.TextField(_("秘密鍵（暗号化）"))
    certificate_pem = models.TextField(_("認証局の証明書"))
    next_serial = models.PositiveBigIntegerField(_("次のシリアル番号"), default=FIRST_SERIAL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("認証局（模擬）")
        verbose_name_plural = pgettext_lazy("plural", "認証局（模擬）")
        default_permissions = ()
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="cardsim_ca_singleton")]

    def __str__(self) -> str:
        return "demo CA"


class Card(models.Model):
    """One My Number Card with its 利用者証明用電子証明書."""

    serial = models.CharField(_("シリアル番号"), max_length=40, unique=True)  # the certificate's, in decimal
    atena_no = models.CharField(_("宛名番号"), max_length=10, db_index=True)
    certificate_pem = models.TextField(_("電子証明書"))
    private_key_enc = models.TextField(_("秘密鍵（暗号化）"))
    pin_hash = models.CharField(_("暗証番号（ハッシュ）"), max_length=200)
    pin_failures = models.PositiveSmallIntegerField(_("暗証番号の連続誤り回数"), default=0)
    locked = models.BooleanField(_("ロック"), default=False)
    revoked_at = models.DateTimeField(_("失効日時"), null=True, blank=True)
    revoked_reason = models.CharField(_("失効事由"), max_length=100, blank=True)
    issued_at = models.DateTimeField(_("発行日時"))
    not_after = models.DateTimeField(_("有効期限"))

    class Meta:
        verbose_name = _("カード（模擬）")
        verbose_name_plural = pgettext_lazy("plural", "カード（模擬）")
        # No view/add/change/delete permissions: the secure element is not browsable, even by admins.
        default_permissions = ()
        permissions = [("unlock_card", "暗証番号ロックを解除できる")]

    def __str__(self) -> str:
        return self.serial
