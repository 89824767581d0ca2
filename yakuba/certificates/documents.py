"""From register records to the printed document: which items appear, and in what words."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from yakuba.certificates.pdf import PersonEntry
from yakuba.core.era import PartialDate, wareki
from yakuba.residents import interface as residents

CERTIFICATION_TEXT = {
    "juminhyo": "この写しは、住民票の原本と相違ないことを証明する。",
    "kisai_jiko": "上記の事項は、住民票の記載事項と相違ないことを証明する。",
    "inkan": "この写しは、登録されている印影と相違ないことを証明する。",
}
TITLES = {"juminhyo": "住民票の写し", "kisai_jiko": "住民票記載事項証明書", "inkan": "印鑑登録証明書"}


@dataclass(frozen=True)
class Options:
    """What a 住民票 shows beyond the basic items; each is omitted unless asked for."""

    relationship: bool = False  # 世帯主・続柄
    honseki: bool = False  # 本籍・筆頭者
    juminhyo_code: bool = False
    mynumber: bool = False

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> "Options":
        return cls(**{k: bool(data.get(k)) for k in ("relationship", "honseki", "juminhyo_code", "mynumber")})

    def as_dict(self) -> dict[str, bool]:
        return {
            "relationship": self.relationship,
            "honseki": self.honseki,
            "juminhyo_code": self.juminhyo_code,
            "mynumber": self.mynumber,
        }


def _date(value: PartialDate | None, japanese: bool) -> str:
    return value.display(japanese_era=japanese) if value else ""


def person_entry(record: residents.ResidentRecord, options: Options, mynumber: str = "") -> PersonEntry:
    japanese = record.kind == "japanese"
    return PersonEntry(
        name=record.name,
        name_kana=record.name_kana,
        birth=_date(record.birth_date, japanese),
        sex=_("男") if record.sex == "1" else _("女"),
        relationship=record.relationship if options.relationship else "",
        honseki=record.honseki if options.honseki and japanese else "",
        hittousha=record.hittousha if options.honseki and japanese else "",
        juminhyo_code=record.juminhyo_code if options.juminhyo_code else "",
        mynumber=mynumber if options.mynumber else "",
        became_resident_on=_date(record.became_resident_on, japanese),
        address_set_on=_date(record.address_set_on, japanese),
        notified_on=(wareki(record.notified_on) if japanese else record.notified_on.isoformat())
        if record.notified_on
        else "",
        previous_address=record.previous_address,
        former_surname=record.former_surname,
        nationality="" if japanese else record.nationality,
        alphabet_name="" if japanese else record.alphabet_name,
        tsusho="" if japanese else record.tsusho,
        residence_status="" if japanese else record.residence_status,
        residence_period="" if japanese else record.residence_period,
        residence_expires_on=""
        if japanese or not record.residence_expires_on
        else record.residence_expires_on.isoformat(),
        art30_45="" if japanese else record.art30_45,
    )
