"""The people in our tests, and why each can or cannot act:

- Madoguchi Hanako (窓口担当) enters 異動 and sees residents, but never 個人番号 and never approves.
- Kessai Ichiro (決裁者 + 個人番号閲覧) approves others' entries and may reveal a 個人番号 (audited).
- Kessai Fumiko (決裁者) a second approver, to race Ichiro.
- Kanri Jiro (システム管理者) manages staff and settings in the admin, but has no resident role.
- Kansa Mina (監査担当) reads the audit log only.
- Renkei Shiro (連携管理) pulls extracts for another system.
- Kaikei Nanako (会計管理者) runs the register, voids payments, closes the day and sets the fee table.
- Hoiku Hachiro (保育担当) enrols children in day care and runs the monthly 口座振替.
- Koho Kumiko (広報担当) edits the assistant's FAQ, departments and sources, and reads its report.
- Tanin Goro has a login and no role at all: an outsider inside the city hall.
"""

import hashlib

from django.contrib.auth.models import Group
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from yakuba.core.models import StaffUser

PASSWORD = "correct-horse-battery-staple"

PERSONAS: dict[str, tuple[str, tuple[str, ...], bool]] = {
    "madoguchi": ("窓口 花子", ("窓口担当",), False),
    "kessai": ("決裁 一郎", ("決裁者", "個人番号閲覧"), False),
    "kessai2": ("決裁 文子", ("決裁者",), False),
    "kanri": ("管理 次郎", ("システム管理者",), True),
    "kansa": ("監査 三奈", ("監査担当",), True),  # reads the audit log in the admin
    "renkei": ("連携 四郎", ("連携管理",), False),
    "kaikei": ("会計 七子", ("会計管理者",), False),  # runs the register, voids, closes the day
    "hoiku": ("保育 八郎", ("保育担当",), False),  # day-care enrolments and 口座振替
    "koho": ("広報 久美子", ("広報担当",), False),  # the assistant's content and report
    "tanin": ("他人 五郎", (), False),
}


def totp_key(username: str) -> str:
    return hashlib.sha1(f"test-{username}".encode()).hexdigest()  # noqa: S324


def make_persona(username: str) -> StaffUser:
    display, roles, admin = PERSONAS[username]
    user = StaffUser.objects.create_user(
        username=username, password=PASSWORD, display_name=display, is_staff=admin
    )
    user.groups.set(Group.objects.filter(name__in=roles))
    TOTPDevice.objects.create(user=user, name="test", key=totp_key(username), confirmed=True)
    return user


def verified_login(client, user: StaffUser) -> None:
    """Sign ``user`` in with both factors done (the login flow itself is tested in test_auth)."""
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()


def current_code(user: StaffUser) -> str:
    """The code the user's authenticator shows now, or the next one if the current one was already
    used (django-otp refuses a replayed code, as it should)."""
    from django_otp.oath import TOTP

    device = TOTPDevice.objects.get(user=user)
    totp = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    if totp.t() <= device.last_t:
        totp.time = device.t0 + (device.last_t + 1) * device.step
    return str(totp.token()).zfill(device.digits)
