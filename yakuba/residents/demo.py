"""Demo data: the resident register of 一ノ森市 (岩手県), a fictional ageing rural city.

``demo_load`` plans every household in memory first (deterministic for a given ``seed``), then, in
one transaction, reserves the 世帯番号, 宛名番号 and change-sequence ranges on ``NumberSequence`` and
bulk-inserts the households, residents and one ``ResidentHistory`` row per resident (a load from the
previous system, ``idou_type="initial"``). Everything loaded is 本登録 data.

All people, addresses and numbers are invented. 個人番号 and 住民票コード carry valid check digits but
are random; the 在留カード番号 has the right shape only.
"""

import datetime as dt
import random
import time
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, reset_queries, transaction
from django.utils import timezone

from yakuba.core import crypto
from yakuba.core.audit import audit_record
from yakuba.core.checkdigit import (
    juminhyo_code_check_digit,
    mynumber_check_digit,
    serial_is_issuable,
    with_check_digit,
)
from yakuba.core.era import PartialDate
from yakuba.core.models import NumberSequence
from yakuba.residents import numbers, records
from yakuba.residents.models import Art30_45, Household, Idou, Kind, Resident, ResidentHistory, Sex, Status

CITY = "一ノ森市"
PREFECTURE = "岩手県"
BATCH = 2000
PROGRESS_EVERY = 20_000
INITIAL_LOAD = "initial"  # ResidentHistory.idou_type of a record loaded from the previous system
FOREIGN_SHARE = 0.015
MOVED_OUT_SHARE = 0.01
DECEASED_SHARE = 0.01
PARTIAL_BIRTH_DATES = 3
# 住民基本台帳法の改正（外国人住民の住民票）施行日: foreign residents already living here were
# registered on this day.
FOREIGN_REGISTER_START = dt.date(2012, 7, 9)

M, F = Sex.MALE.value, Sex.FEMALE.value
HEAD = "世帯主"

# --- names ---------------------------------------------------------------------------------------
# The tables below are kept compact (several entries a line) on purpose.
# fmt: off

# Common surnames, weighted towards those frequent in 岩手県.
SURNAMES: tuple[tuple[str, str], ...] = (
    ("佐藤", "サトウ"), ("佐々木", "ササキ"), ("高橋", "タカハシ"), ("千葉", "チバ"), ("菊池", "キクチ"),
    ("阿部", "アベ"), ("及川", "オイカワ"), ("小野寺", "オノデラ"), ("鈴木", "スズキ"), ("伊藤", "イトウ"),
    ("遠藤", "エンドウ"), ("菅原", "スガワラ"), ("工藤", "クドウ"), ("熊谷", "クマガイ"), ("村上", "ムラカミ"),
    ("藤原", "フジワラ"), ("吉田", "ヨシダ"), ("斎藤", "サイトウ"), ("三浦", "ミウラ"), ("渡辺", "ワタナベ"),
    ("小山", "コヤマ"), ("中村", "ナカムラ"), ("山本", "ヤマモト"), ("田中", "タナカ"), ("加藤", "カトウ"),
    ("中島", "ナカジマ"), ("小林", "コバヤシ"), ("千田", "チダ"), ("岩渕", "イワブチ"), ("畠山", "ハタケヤマ"),
    ("村田", "ムラタ"), ("山口", "ヤマグチ"), ("松本", "マツモト"), ("木村", "キムラ"), ("林", "ハヤシ"),
    ("清水", "シミズ"), ("山崎", "ヤマザキ"), ("池田", "イケダ"), ("橋本", "ハシモト"), ("石川", "イシカワ"),
    ("前田", "マエダ"), ("藤田", "フジタ"), ("後藤", "ゴトウ"), ("岡田", "オカダ"), ("長谷川", "ハセガワ"),
    ("石井", "イシイ"), ("小川", "オガワ"), ("近藤", "コンドウ"), ("坂本", "サカモト"), ("青木", "アオキ"),
    ("太田", "オオタ"), ("松田", "マツダ"), ("原", "ハラ"), ("西村", "ニシムラ"), ("福田", "フクダ"),
    ("菅野", "カンノ"), ("大槻", "オオツキ"), ("武田", "タケダ"), ("浅沼", "アサヌマ"), ("照井", "テルイ"),
    ("昆", "コン"), ("金野", "コンノ"), ("今野", "コンノ"), ("高田", "タカダ"), ("大森", "オオモリ"),
    ("小松", "コマツ"), ("稲葉", "イナバ"), ("高野", "タカノ"), ("野田", "ノダ"), ("沼田", "ヌマタ"),
    ("小原", "オバラ"), ("鎌田", "カマタ"), ("八重樫", "ヤエガシ"), ("瀬川", "セガワ"), ("中川", "ナカガワ"),
    ("横田", "ヨコタ"), ("多田", "タダ"), ("上野", "ウエノ"), ("平野", "ヒラノ"), ("内田", "ウチダ"),
)
# The most frequent surnames of the area get extra weight.
_SURNAME_WEIGHTS = tuple(6 if i < 10 else 3 if i < 20 else 1 for i in range(len(SURNAMES)))

# Given names by the birth years in which they were common: (before 1960, 1960-1989, 1990 on).
MALE_NAMES: tuple[tuple[tuple[str, str], ...], ...] = (
    (
        ("清", "キヨシ"), ("茂", "シゲル"), ("勇", "イサム"), ("実", "ミノル"), ("進", "ススム"),
        ("博", "ヒロシ"), ("正", "タダシ"), ("昭", "アキラ"), ("武", "タケシ"), ("勝", "マサル"),
        ("三郎", "サブロウ"), ("正男", "マサオ"), ("和夫", "カズオ"), ("幸雄", "ユキオ"), ("義雄", "ヨシオ"),
        ("俊夫", "トシオ"), ("秀夫", "ヒデオ"), ("一郎", "イチロウ"), ("健一", "ケンイチ"), ("弘", "ヒロシ"),
    ),
    (
        ("誠", "マコト"), ("剛", "ツヨシ"), ("学", "マナブ"), ("修", "オサム"), ("浩二", "コウジ"),
        ("哲也", "テツヤ"), ("健二", "ケンジ"), ("隆", "タカシ"), ("淳", "ジュン"), ("聡", "サトシ"),
        ("大輔", "ダイスケ"), ("直樹", "ナオキ"), ("和也", "カズヤ"), ("拓也", "タクヤ"), ("健太", "ケンタ"),
        ("達也", "タツヤ"), ("智之", "トモユキ"), ("秀樹", "ヒデキ"), ("雅之", "マサユキ"), ("亮", "リョウ"),
    ),
    (
        ("翔太", "ショウタ"), ("大翔", "ヒロト"), ("蓮", "レン"), ("悠真", "ユウマ"), ("陽斗", "ハルト"),
        ("颯太", "ソウタ"), ("湊", "ミナト"), ("樹", "イツキ"), ("大和", "ヤマト"), ("陸", "リク"),
        ("悠斗", "ユウト"), ("海斗", "カイト"), ("蒼", "アオイ"), ("陽翔", "ハルト"), ("翼", "ツバサ"),
        ("駿", "シュン"), ("拓海", "タクミ"), ("優斗", "ユウト"), ("朝陽", "アサヒ"), ("律", "リツ"),
    ),
)
FEMALE_NAMES: tuple[tuple[tuple[str, str], ...], ...] = (
    (
        ("和子", "カズコ"), ("幸子", "サチコ"), ("節子", "セツコ"), ("洋子", "ヨウコ"), ("京子", "キョウコ"),
        ("恵子", "ケイコ"), ("美智子", "ミチコ"), ("弘子", "ヒロコ"), ("久子", "ヒサコ"), ("信子", "ノブコ"),
        ("悦子", "エツコ"), ("文子", "フミコ"), ("静子", "シズコ"), ("孝子", "タカコ"), ("キヨ", "キヨ"),
        ("ハル", "ハル"), ("千代", "チヨ"), ("光子", "ミツコ"), ("正子", "マサコ"), ("良子", "ヨシコ"),
    ),
    (
        ("裕子", "ユウコ"), ("真由美", "マユミ"), ("明美", "アケミ"), ("直美", "ナオミ"), ("由美子", "ユミコ"),
        ("智子", "トモコ"), ("久美子", "クミコ"), ("恵", "メグミ"), ("香織", "カオリ"), ("美穂", "ミホ"),
        ("陽子", "ヨウコ"), ("由紀", "ユキ"), ("麻衣", "マイ"), ("綾", "アヤ"), ("愛", "アイ"),
        ("彩", "アヤ"), ("美香", "ミカ"), ("理恵", "リエ"), ("純子", "ジュンコ"), ("千晶", "チアキ"),
    ),
    (
        ("陽菜", "ヒナ"), ("結衣", "ユイ"), ("葵", "アオイ"), ("凛", "リン"), ("結菜", "ユイナ"),
        ("美咲", "ミサキ"), ("芽依", "メイ"), ("莉子", "リコ"), ("紬", "ツムギ"), ("陽葵", "ヒマリ"),
        ("咲良", "サクラ"), ("花", "ハナ"), ("心春", "コハル"), ("楓", "カエデ"), ("七海", "ナナミ"),
        ("杏", "アン"), ("美桜", "ミオ"), ("琴音", "コトネ"), ("彩花", "アヤカ"), ("優奈", "ユウナ"),
    ),
)

# --- places --------------------------------------------------------------------------------------

# 住居表示 areas: the address continues "2丁目5番8号".
CHOME_TOWNS = (
    "本町", "中央通", "栄町", "緑町", "桜木町", "旭町", "新町", "大町", "幸町", "東町",
    "西町", "南町", "北町", "松園", "若葉台",
)
# Towns whose name already holds the 丁目: the address continues "5番8号".
BLOCK_TOWNS = ("駅前一丁目", "駅前二丁目", "駅前三丁目", "中央一丁目", "中央二丁目", "青葉台一丁目", "青葉台二丁目")
# Rural 大字・字: the address continues "123番地" or "12番地3".
RURAL_TOWNS = (
    "大字川崎字上野", "大字川崎字下野", "大字川崎字中島", "大字森山字堤", "大字森山字宮田", "大字森山字館",
    "大字黒沢字沢田", "大字黒沢字石神", "大字高畑字前田", "大字高畑字新田", "大字赤石字寺前", "大字赤石字向",
    "大字小松字上川原", "大字小松字平", "大字大原字柳沢", "大字大原字長根", "大字滝沢字清水", "大字長坂字本郷",
)
BUILDING_NAMES = (
    "コーポ森", "ハイツ一ノ森", "メゾン桜木", "グリーンハイツ", "サンライズ栄", "アーバン駅前", "ハイツ緑",
    "コーポ旭", "エステート中央", "パークサイド松園", "シティハイツ本町", "レジデンス青葉", "市営住宅栄町団地",
    "県営住宅若葉台アパート", "ヴィラ幸町", "フォレスト一ノ森",
)
# Other municipalities for 本籍, 転入前住所 and 転出先 (real place names, invented 番地).
OTHER_PLACES = (
    "岩手県盛岡市中央通", "岩手県花巻市大通り", "岩手県北上市本通り", "岩手県一関市大町", "岩手県奥州市水沢大手町",
    "岩手県釜石市只越町", "岩手県宮古市宮町", "宮城県仙台市青葉区本町", "宮城県仙台市泉区泉中央",
    "宮城県石巻市中央", "秋田県秋田市中通", "青森県八戸市内丸", "山形県山形市旅篭町", "福島県福島市栄町",
    "東京都世田谷区太子堂", "東京都練馬区豊玉北", "埼玉県さいたま市浦和区高砂", "神奈川県横浜市港北区大豆戸町",
    "千葉県千葉市中央区中央", "愛知県名古屋市中村区名駅", "大阪府大阪市北区梅田", "北海道札幌市中央区北一条西",
)
KATAGAKI_SHARE = {"single": 0.28, "young_family": 0.08, "foreign": 0.55, "other": 0.015}

# --- foreign residents ----------------------------------------------------------------------------

# nationality: (family names, male given names, female given names, (male middle, female middle))
FOREIGN_NAMES: dict[str, Any] = {
    "ベトナム": (
        (("NGUYEN", "グエン"), ("TRAN", "チャン"), ("LE", "レ"), ("PHAM", "ファム"), ("HOANG", "ホアン"),
         ("VU", "ヴー"), ("DANG", "ダン"), ("BUI", "ブイ"), ("DO", "ドー"), ("HO", "ホー")),
        (("AN", "アン"), ("BINH", "ビン"), ("DUNG", "ズン"), ("HUNG", "フン"), ("MINH", "ミン"),
         ("NAM", "ナム"), ("TUAN", "トゥアン"), ("HIEU", "ヒエウ"), ("LONG", "ロン"), ("QUANG", "クアン")),
        (("LINH", "リン"), ("HOA", "ホア"), ("LAN", "ラン"), ("MAI", "マイ"), ("THAO", "タオ"),
         ("HUONG", "フオン"), ("TRANG", "チャン"), ("NGOC", "ゴック"), ("HANH", "ハイン"), ("YEN", "イエン")),
        (("VAN", "ヴァン"), ("THI", "ティ")),
    ),
    "中国": (
        (("WANG", "ワン"), ("LI", "リー"), ("ZHANG", "チャン"), ("LIU", "リウ"), ("CHEN", "チェン"),
         ("YANG", "ヤン"), ("ZHAO", "チャオ"), ("HUANG", "ホワン"), ("ZHOU", "チョウ"), ("WU", "ウー")),
        (("WEI", "ウェイ"), ("LEI", "レイ"), ("JUN", "ジュン"), ("HAO", "ハオ"), ("YONG", "ヨン"),
         ("QIANG", "チアン"), ("JIE", "ジエ"), ("MING", "ミン")),
        (("FANG", "ファン"), ("NA", "ナー"), ("JING", "ジン"), ("YAN", "イエン"), ("LI", "リー"),
         ("XIU", "シウ"), ("MEI", "メイ"), ("TING", "ティン")),
        None,
    ),
    "フィリピン": (
        (("SANTOS", "サントス"), ("REYES", "レイエス"), ("CRUZ", "クルス"), ("GARCIA", "ガルシア"),
         ("BAUTISTA", "バウティスタ"), ("MENDOZA", "メンドーサ"), ("RAMOS", "ラモス")),
        (("JOSE", "ホセ"), ("MARK", "マーク"), ("JOHN", "ジョン"), ("MICHAEL", "マイケル"),
         ("JOSHUA", "ジョシュア"), ("RYAN", "ライアン")),
        (("MARIA", "マリア"), ("ANGELICA", "アンジェリカ"), ("CRISTINA", "クリスティーナ"), ("JOY", "ジョイ"),
         ("MARICEL", "マリセル"), ("ROSALIE", "ロザリー")),
        None,
    ),
    "ネパール": (
        (("SHRESTHA", "シュレスタ"), ("GURUNG", "グルン"), ("TAMANG", "タマン"), ("RAI", "ライ"),
         ("THAPA", "タパ"), ("MAGAR", "マガル")),
        (("RAM", "ラム"), ("BIKASH", "ビカス"), ("SANJAY", "サンジャイ"), ("PRAKASH", "プラカス"),
         ("SURESH", "スレス"), ("ROSHAN", "ロシャン")),
        (("SUNITA", "スニタ"), ("ANITA", "アニタ"), ("SABITA", "サビタ"), ("GITA", "ギタ"),
         ("PRAMILA", "プラミラ"), ("SITA", "シタ")),
        None,
    ),
    "韓国": (
        (("KIM", "キム"), ("LEE", "イ"), ("PARK", "パク"), ("CHOI", "チェ"), ("JUNG", "チョン"),
         ("KANG", "カン"), ("CHO", "チョ"), ("YOON", "ユン")),
        (("YOUNGHO", "ヨンホ"), ("MINJUN", "ミンジュン"), ("JIHOON", "ジフン"), ("SEUNGHO", "スンホ"),
         ("DONGHYUN", "ドンヒョン"), ("SUNGMIN", "ソンミン")),
        (("SEOYEON", "ソヨン"), ("JIWOO", "ジウ"), ("MIKYUNG", "ミギョン"), ("YOUNGJA", "ヨンジャ"),
         ("SOOJIN", "スジン"), ("EUNJI", "ウンジ")),
        None,
    ),
    "ブラジル": (
        (("SILVA", "シルバ"), ("SANTOS", "サントス"), ("OLIVEIRA", "オリベイラ"), ("SOUZA", "ソウザ"),
         ("PEREIRA", "ペレイラ"), ("COSTA", "コスタ"), ("FERREIRA", "フェレイラ"), ("ALVES", "アウベス")),
        (("LUCAS", "ルーカス"), ("GABRIEL", "ガブリエル"), ("RAFAEL", "ラファエル"), ("BRUNO", "ブルーノ"),
         ("PEDRO", "ペドロ"), ("MATHEUS", "マテウス")),
        (("ANA", "アナ"), ("JULIANA", "ジュリアナ"), ("FERNANDA", "フェルナンダ"), ("CAMILA", "カミラ"),
         ("BEATRIZ", "ベアトリス"), ("LARISSA", "ラリッサ")),
        None,
    ),
    "インドネシア": (
        (("SANTOSO", "サントソ"), ("WIJAYA", "ウィジャヤ"), ("SAPUTRA", "サプトラ"), ("HIDAYAT", "ヒダヤット"),
         ("LESTARI", "レスタリ"), ("PRATAMA", "プラタマ"), ("NUGROHO", "ヌグロホ"), ("SETIAWAN", "セティアワン")),
        (("BUDI", "ブディ"), ("AGUS", "アグス"), ("EKO", "エコ"), ("ADI", "アディ"), ("RIZKI", "リズキ"),
         ("DIMAS", "ディマス")),
        (("DEWI", "デウィ"), ("SITI", "シティ"), ("RINA", "リナ"), ("PUTRI", "プトリ"), ("AYU", "アユ"),
         ("INDAH", "インダ")),
        None,
    ),
}
# Households by nationality (weights), and per nationality the kinds of stay:
# (weight, 在留資格 of the head, chance of a family, head age range).
FOREIGN_HOUSEHOLD_WEIGHTS = {
    "ベトナム": 36, "中国": 14, "フィリピン": 12, "ネパール": 8, "韓国": 10, "ブラジル": 6, "インドネシア": 14,
}
FOREIGN_STAYS: dict[str, tuple[tuple[int, str, float, tuple[int, int]], ...]] = {
    "ベトナム": ((60, "技能実習", 0.0, (20, 33)), (30, "特定技能", 0.1, (22, 38)),
                 (10, "技術・人文知識・国際業務", 0.5, (24, 40))),
    "中国": ((25, "技能実習", 0.0, (21, 35)), (15, "留学", 0.0, (19, 28)), (35, "永住者", 0.7, (32, 65)),
             (25, "技術・人文知識・国際業務", 0.4, (25, 45))),
    "フィリピン": ((35, "永住者", 0.6, (30, 60)), (25, "定住者", 0.6, (25, 55)), (40, "特定技能", 0.0, (22, 40))),
    "ネパール": ((30, "留学", 0.0, (19, 28)), (40, "技能", 0.7, (28, 45)),
                 (30, "技術・人文知識・国際業務", 0.4, (24, 40))),
    "韓国": ((55, "特別永住者", 0.35, (50, 92)), (25, "永住者", 0.5, (30, 65)), (20, "留学", 0.0, (19, 28))),
    "ブラジル": ((60, "定住者", 0.7, (25, 55)), (40, "永住者", 0.7, (30, 65))),
    "インドネシア": ((55, "技能実習", 0.0, (20, 32)), (45, "特定技能", 0.05, (22, 38))),
}
PERIODS = {
    "技能実習": ("1年", "2年"),
    "特定技能": ("1年", "3年"),
    "留学": ("1年3月", "2年3月", "1年"),
    "技術・人文知識・国際業務": ("1年", "3年", "5年"),
    "技能": ("1年", "3年", "5年"),
    "定住者": ("1年", "3年", "5年"),
    "永住者の配偶者等": ("1年", "3年"),
}
PERMANENT = ("永住者", "特別永住者")  # no 在留期間
# Days since arrival, by 在留資格 of the head.
ARRIVED_DAYS = {
    "技能実習": (20, 1000), "特定技能": (20, 1800), "留学": (20, 900), "技術・人文知識・国際業務": (60, 3000),
    "技能": (60, 3600), "定住者": (300, 7000), "永住者": (2000, 9000),
}
TSUSHO_SURNAMES = ("金田", "金本", "新井", "岩本", "松山", "安田", "高山", "木村", "林", "山田")
# fmt: on


@dataclass(slots=True)
class _Person:
    name: str
    name_kana: str
    sex: str
    birth: dt.date
    relationship: str
    surname: tuple[str, str] = ("", "")
    kind: str = Kind.JAPANESE.value
    koseki: str = ""  # 筆頭者
    honseki: str = ""
    former_surname: str = ""
    former_surname_kana: str = ""
    birth_partial: PartialDate | None = None
    became: dt.date | None = None
    became_partial: PartialDate | None = None
    address_set: dt.date | None = None
    notified_on: dt.date | None = None
    previous_address: str = ""
    status: str = Status.RESIDENT.value
    moved_out_to: str = ""
    left_on: dt.date | None = None
    last_idou_kind: str = ""
    last_idou_date: dt.date | None = None
    kana_confirmed: bool = True
    nationality: str = ""
    alphabet_name: str = ""
    tsusho: str = ""
    residence_status: str = ""
    residence_period: str = ""
    residence_expires_on: dt.date | None = None
    residence_card_no: str = ""
    art30_45: str = ""
    juminhyo_code: str = ""
    mynumber: str = ""
    mynumber_index: str = ""


@dataclass(slots=True)
class _Household:
    address: str
    katagaki: str
    postal_code: str
    members: list[_Person] = field(default_factory=list)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


class _Planner:
    """Plans households and people in memory; all randomness comes from ``rng``."""

    def __init__(
        self, rng: random.Random, today: dt.date, taken_mynumber_indexes: set[str], taken_codes: set[str]
    ):
        self.rng = rng
        self.today = today
        self.taken_indexes = taken_mynumber_indexes
        self.taken_codes = taken_codes
        self.taken_cards: set[str] = set()
        towns = [(t, "chome") for t in CHOME_TOWNS] + [(t, "block") for t in BLOCK_TOWNS]
        towns += [(t, "rural") for t in RURAL_TOWNS]
        self.towns = [(f"{CITY}{name}", style, f"029-9{i + 1:03d}") for i, (name, style) in enumerate(towns)]
        self.town_weights = [
            rng.uniform(0.4, 2.0) * (0.8 if style == "rural" else 1.0) for _t, style, _p in self.towns
        ]
        self.urban = [t for t in self.towns if t[1] != "rural"]
        self.buildings: list[tuple[str, str, str, int]] = []  # (address, postal, name, floors)

    # -- names and places --

    def surname(self) -> tuple[str, str]:
        return self.rng.choices(SURNAMES, _SURNAME_WEIGHTS)[0]

    def given(self, sex: str, birth_year: int, used: set[str]) -> tuple[str, str]:
        era = 0 if birth_year < 1960 else 1 if birth_year < 1990 else 2
        if self.rng.random() < 0.15:  # names cross generations
            era = max(0, min(2, era + self.rng.choice((-1, 1))))
        pool = (MALE_NAMES if sex == M else FEMALE_NAMES)[era]
        for _ in range(10):
            choice = self.rng.choice(pool)
            if choice[0] not in used:
                break
        used.add(choice[0])
        return choice

    def _street_address(self, town: tuple[str, str, str]) -> str:
        name, style, _postal = town
        rng = self.rng
        if style == "chome":
            return f"{name}{rng.randint(1, 4)}丁目{rng.randint(1, 28)}番{rng.randint(1, 30)}号"
        if style == "block":
            return f"{name}{rng.randint(1, 24)}番{rng.randint(1, 30)}号"
        if rng.random() < 0.5:
            return f"{name}{rng.randint(1, 350)}番地"
        return f"{name}{rng.randint(1, 350)}番地{rng.randint(1, 12)}"

    def dwelling(self, apartment_share: float) -> tuple[str, str, str]:
        """(address, 方書, postal code)."""
        rng = self.rng
        if rng.random() < apartment_share:
            if not self.buildings or rng.random() < 0.15:
                town = rng.choice(self.urban)
                self.buildings.append(
                    (self._street_address(town), town[2], rng.choice(BUILDING_NAMES), rng.randint(2, 5))
                )
            address, postal, building, floors = rng.choice(self.buildings)
            return address, f"{building} {rng.randint(1, floors)}{rng.randint(1, 8):02d}号室", postal
        town = rng.choices(self.towns, self.town_weights)[0]
        return self._street_address(town), "", town[2]

    def other_place(self) -> str:
        return f"{self.rng.choice(OTHER_PLACES)}{self.rng.randint(1, 5)}丁目{self.rng.randint(1, 30)}番{self.rng.randint(1, 20)}号"

    def honseki(self, home: str) -> str:
        """本籍: mostly the family's place in this city, written with 番地."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.55 and home:
            return home
        if roll < 0.8:
            name, style, _postal = rng.choices(self.towns, self.town_weights)[0]
            chome = f"{rng.randint(1, 4)}丁目" if style == "chome" else ""
            return f"{PREFECTURE}{name}{chome}{rng.randint(1, 400)}番地"
        return f"{rng.choice(OTHER_PLACES)}{rng.randint(1, 5)}丁目{rng.randint(1, 40)}番地"

    # -- people --

    def birth_for_age(self, age: int) -> dt.date:
        start = _years_before(self.today, age + 1) + dt.timedelta(days=1)
        end = _years_before(self.today, age)
        return start + dt.timedelta(days=self.rng.randrange((end - start).days + 1))

    def person(
        self, surname: tuple[str, str], sex: str, age: int, relationship: str, used: set[str]
    ) -> _Person:
        birth = self.birth_for_age(age)
        given = self.given(sex, birth.year, used)
        return _Person(
            name=f"{surname[0]} {given[0]}",
            name_kana=f"{surname[1]} {given[1]}",
            sex=sex,
            birth=birth,
            relationship=relationship,
            surname=surname,
        )

    def absent_father(self, surname: tuple[str, str], child_birth: dt.date) -> str:
        """Name of a parent not living here (the 筆頭者 of a child's 戸籍)."""
        given = self.given(M, child_birth.year - self.rng.randint(25, 35), set())
        return f"{surname[0]} {given[0]}"

    def child_age(self, parent_ages: list[int], *, low: int = 0, high: int = 200) -> int | None:
        """An age that keeps every parent 21-39 years older (so 20-40 years by date)."""
        lo = max(low, max(parent_ages) - 39)
        hi = min(high, min(parent_ages) - 21)
        if lo > hi:
            return None
        return self.rng.randint(lo, hi)

    def spouse_age(self, age: int, *, low: int = 18) -> int:
        return max(low, age - self.rng.randint(-2, 5))

    def kids(
        self,
        surname: tuple[str, str],
        parents: list[int],
        used: set[str],
        *,
        count: int,
        relationship: str = "子",
        low: int = 0,
        high: int = 200,
    ) -> list[_Person]:
        out = []
        for _ in range(count):
            age = self.child_age(parents, low=low, high=high)
            if age is None:
                break
            out.append(self.person(surname, self.rng.choice((M, F)), age, relationship, used))
        return out

    def kid_count(self) -> int:
        return self.rng.choices((1, 2, 3, 4), (35, 45, 17, 3))[0]

    # -- Japanese households --

    def household(self) -> tuple[list[_Person], str]:
        kinds = (
            ("elderly_single", 20),
            ("elderly_couple", 17),
            ("couple_middle", 7),
            ("family", 13),
            ("single_parent", 3),
            ("three_gen_middle", 7),
            ("three_gen_elder", 6),
            ("single_adult", 17),
            ("parent_adult_child", 10),
        )
        kind = self.rng.choices([k for k, _w in kinds], [w for _k, w in kinds])[0]
        members = getattr(self, f"_hh_{kind}")()
        return members, kind

    def _couple(self, head_age: int, used: set[str]) -> tuple[tuple[str, str], _Person, _Person]:
        surname = self.surname()
        if self.rng.random() < 0.9:
            head = self.person(surname, M, head_age, HEAD, used)
            spouse = self.person(surname, F, self.spouse_age(head_age), "妻", used)
        else:
            head = self.person(surname, F, head_age, HEAD, used)
            spouse = self.person(surname, M, max(18, head_age + self.rng.randint(-5, 2)), "夫", used)
        head.koseki = spouse.koseki = (head if head.sex == M else spouse).name
        if self.rng.random() < 0.25:
            head.koseki = spouse.koseki = head.name  # 婿養子 or wife's surname chosen
        self._maybe_former_surname(spouse if spouse.sex == F else head)
        return surname, head, spouse

    def _maybe_former_surname(self, person: _Person) -> None:
        if self.rng.random() < 0.06:
            other = self.surname()
            if other != person.surname:
                person.former_surname, person.former_surname_kana = other

    def _hh_elderly_single(self) -> list[_Person]:
        used: set[str] = set()
        sex = F if self.rng.random() < 0.7 else M
        head = self.person(self.surname(), sex, int(self.rng.triangular(65, 101, 80)), HEAD, used)
        head.koseki = (
            head.name
            if sex == M or self.rng.random() < 0.2
            else self.absent_father(head.surname, head.birth + dt.timedelta(days=365 * 30))
        )
        return [head]

    def _hh_elderly_couple(self) -> list[_Person]:
        used: set[str] = set()
        _surname, head, spouse = self._couple(int(self.rng.triangular(65, 96, 73)), used)
        return [head, spouse]

    def _hh_couple_middle(self) -> list[_Person]:
        used: set[str] = set()
        _surname, head, spouse = self._couple(self.rng.randint(45, 64), used)
        return [head, spouse]

    def _hh_family(self) -> list[_Person]:
        used: set[str] = set()
        surname, head, spouse = self._couple(int(self.rng.triangular(27, 60, 42)), used)
        ages = [_age(head.birth, self.today), _age(spouse.birth, self.today)]
        kids = self.kids(surname, ages, used, count=self.kid_count(), high=30)
        for k in kids:
            k.koseki = head.koseki
        return [head, spouse, *kids]

    def _hh_single_parent(self) -> list[_Person]:
        used: set[str] = set()
        surname = self.surname()
        sex = F if self.rng.random() < 0.8 else M
        head = self.person(surname, sex, self.rng.randint(25, 55), HEAD, used)
        head.koseki = head.name
        kids = self.kids(
            surname, [_age(head.birth, self.today)], used, count=self.rng.choice((1, 1, 2, 2, 3)), high=22
        )
        for k in kids:
            k.koseki = head.name
        return [head, *kids]

    def _hh_three_gen_middle(self) -> list[_Person]:
        """Head (40-62), spouse, children, and the head's 父 and/or 母."""
        used: set[str] = set()
        surname, head, spouse = self._couple(self.rng.randint(40, 62), used)
        head_age = _age(head.birth, self.today)
        ages = [head_age, _age(spouse.birth, self.today)]
        kids = self.kids(surname, ages, used, count=self.kid_count())
        for k in kids:
            k.koseki = head.koseki
        grand = []
        roll = self.rng.random()
        father_age = min(100, head_age + self.rng.randint(22, 38))
        mother_age = min(head_age + 39, 100, max(head_age + 21, father_age - self.rng.randint(0, 5)))
        father = None
        if roll >= 0.55:
            father = self.person(surname, M, father_age, "父", used)
            grand.append(father)
        if roll < 0.8:
            grand.append(self.person(surname, F, mother_age, "母", used))
        koseki = father.name if father else self.absent_father(surname, head.birth)
        for g in grand:
            g.koseki = koseki
        return [head, spouse, *kids, *grand]

    def _hh_three_gen_elder(self) -> list[_Person]:
        """Elderly head and spouse, a married child with his or her spouse, and grandchildren."""
        used: set[str] = set()
        surname = self.surname()
        head_age = self.rng.randint(64, 86)
        head = self.person(surname, M, head_age, HEAD, used)
        members = [head]
        parents = [head_age]
        head.koseki = head.name
        if self.rng.random() < 0.75:
            wife = self.person(surname, F, self.spouse_age(head_age, low=60), "妻", used)
            wife.koseki = head.name
            members.append(wife)
            parents.append(_age(wife.birth, self.today))
        child_age = self.child_age(parents, low=30)
        if child_age is None:
            return members
        daughter_line = self.rng.random() < 0.2  # 子の夫 takes the family's surname
        child = self.person(surname, F if daughter_line else M, child_age, "子", used)
        in_law = self.person(
            surname,
            M if daughter_line else F,
            self.spouse_age(child_age, low=25) if not daughter_line else child_age + self.rng.randint(-2, 5),
            "子の夫" if daughter_line else "子の妻",
            used,
        )
        child.koseki = in_law.koseki = child.name
        self._maybe_former_surname(in_law)
        young = [_age(child.birth, self.today), _age(in_law.birth, self.today)]
        grandkids = self.kids(surname, young, used, count=self.kid_count(), relationship="子の子")
        for g in grandkids:
            g.koseki = child.name
        return [*members, child, in_law, *grandkids]

    def _hh_single_adult(self) -> list[_Person]:
        used: set[str] = set()
        head = self.person(
            self.surname(),
            M if self.rng.random() < 0.6 else F,
            int(self.rng.triangular(18, 65, 26)),
            HEAD,
            used,
        )
        head.koseki = self.absent_father(head.surname, head.birth)
        return [head]

    def _hh_parent_adult_child(self) -> list[_Person]:
        """An elderly parent (or couple) with an unmarried adult child."""
        used: set[str] = set()
        if self.rng.random() < 0.5:
            surname, head, spouse = self._couple(self.rng.randint(68, 92), used)
            members = [head, spouse]
        else:
            surname = self.surname()
            head = self.person(
                surname, F if self.rng.random() < 0.7 else M, self.rng.randint(70, 96), HEAD, used
            )
            head.koseki = (
                head.name
                if head.sex == M
                else self.absent_father(surname, head.birth + dt.timedelta(days=9000))
            )
            members = [head]
        ages = [_age(m.birth, self.today) for m in members]
        kids = self.kids(surname, ages, used, count=self.rng.choice((1, 1, 1, 2)), low=35)
        for k in kids:
            k.koseki = head.koseki
        return [*members, *kids]

    def lodger(self, head: _Person) -> _Person:
        """A 同居人 or 縁故者 joining a household (own surname and 戸籍)."""
        relationship = "同居人" if self.rng.random() < 0.6 else "縁故者"
        surname = self.surname()
        while surname == head.surname:
            surname = self.surname()
        age = self.rng.randint(20, 70) if relationship == "同居人" else self.rng.randint(10, 90)
        person = self.person(surname, self.rng.choice((M, F)), age, relationship, set())
        person.koseki = self.absent_father(surname, person.birth)
        return person

    # -- dates --

    def japanese_dates(self, members: list[_Person], native: bool) -> None:
        """住民となった日, 住定日, 届出日 and 転入前住所, consistent across the household."""
        rng, today = self.rng, self.today
        head = members[0]
        move_in = None
        if not native:
            adult_from = _years_before(head.birth, -18)
            span = (today - adult_from).days
            move_in = today - dt.timedelta(days=rng.randint(1, max(1, min(span, 40 * 365))))
        previous = self.other_place()
        spouse_of = {"妻": "子", "夫": "子", "子の妻": "子の子", "子の夫": "子の子"}
        for p in members:
            if move_in is not None and p.birth < move_in:
                p.became, p.previous_address = move_in, previous
            elif move_in is None and p.relationship in spouse_of and rng.random() < 0.6:
                # married in from elsewhere, before their children were born here
                kids = [m.birth for m in members if m.relationship == spouse_of[p.relationship]]
                latest = min([today, *kids]) - dt.timedelta(days=rng.randint(60, 900))
                earliest = _years_before(p.birth, -20)
                if latest > earliest:
                    span = min((latest - earliest).days, 12 * 365)
                    p.became = latest - dt.timedelta(days=rng.randint(0, span))
                    p.previous_address = self.other_place()
                else:
                    p.became = p.birth
            elif p.relationship in ("同居人", "縁故者") and move_in is None:
                p.became = today - dt.timedelta(
                    days=rng.randint(30, max(31, min(7000, (today - p.birth).days)))
                )
                p.previous_address = self.other_place()
            else:
                p.became = p.birth
        self._address_dates(members)

    def _address_dates(self, members: list[_Person]) -> None:
        rng, today = self.rng, self.today
        moved = None
        first = min(m.became for m in members if m.became)  # type: ignore[type-var]
        if rng.random() < 0.2 and (today - first).days > 60:
            moved = first + dt.timedelta(days=rng.randint(30, (today - first).days))
        for p in members:
            assert p.became is not None
            p.address_set = max(p.became, moved) if moved else p.became
            if p.address_set > p.became:
                p.last_idou_kind, p.last_idou_date = Idou.Type.ADDRESS_CHANGE.value, p.address_set
            elif p.became == p.birth:
                p.last_idou_kind, p.last_idou_date = Idou.Type.BIRTH.value, p.birth
            else:
                p.last_idou_kind, p.last_idou_date = Idou.Type.MOVE_IN.value, p.became
            if p.became >= dt.date(1990, 1, 1):
                p.notified_on = min(today, p.became + dt.timedelta(days=rng.randint(0, 14)))

    # -- foreign households --

    def foreign_household(self) -> list[_Person]:
        rng, today = self.rng, self.today
        nationality = rng.choices(list(FOREIGN_HOUSEHOLD_WEIGHTS), list(FOREIGN_HOUSEHOLD_WEIGHTS.values()))[
            0
        ]
        stays = FOREIGN_STAYS[nationality]
        _w, status, family_chance, (lo, hi) = rng.choices(stays, [s[0] for s in stays])[0]
        families, males, females, middles = FOREIGN_NAMES[nationality]
        family = rng.choice(families)
        used: set[str] = set()

        def make(sex: str, age: int, relationship: str, family_name: tuple[str, str]) -> _Person:
            pool = [g for g in (males if sex == M else females) if g[0] not in used] or (
                males if sex == M else females
            )
            given = rng.choice(pool)
            used.add(given[0])
            parts = [family_name, *([middles[0 if sex == M else 1]] if middles else []), given]
            kana = " ".join(p[1] for p in parts)
            return _Person(
                name=kana,
                name_kana=kana,
                sex=sex,
                birth=self.birth_for_age(age),
                relationship=relationship,
                surname=family_name,
                kind=Kind.FOREIGN.value,
                nationality=nationality,
                alphabet_name=" ".join(p[0] for p in parts).upper(),
            )

        head_female = nationality == "フィリピン" and status in ("永住者", "定住者") and rng.random() < 0.5
        head_age = rng.randint(lo, hi)
        head = make(F if head_female else (M if rng.random() < 0.8 else F), head_age, HEAD, family)
        members = [head]
        if rng.random() < family_chance:
            ages = [head_age]
            if not head_female and rng.random() < 0.85:
                # Vietnamese, Chinese and Korean spouses keep their own family name.
                keeps_own = nationality in ("ベトナム", "中国", "韓国")
                spouse_family = rng.choice(families) if keeps_own else family
                spouse = make(
                    F if head.sex == M else M,
                    max(18, head_age - rng.randint(-2, 6)),
                    "妻" if head.sex == M else "夫",
                    spouse_family,
                )
                members.append(spouse)
                ages.append(_age(spouse.birth, today))
            kid_high = 200 if status in PERMANENT or status == "定住者" else 17
            for _ in range(rng.choices((0, 1, 2, 3), (15, 40, 35, 10))[0]):
                age = self.child_age(ages, high=kid_high)
                if age is not None:
                    members.append(make(rng.choice((M, F)), age, "子", family))
        self._foreign_stay(members, status)
        return members

    def _foreign_stay(self, members: list[_Person], status: str) -> None:
        rng, today = self.rng, self.today
        head = members[0]
        period = rng.choice(PERIODS[status]) if status in PERIODS else ""
        years = int(period.split("年")[0]) if "年" in period else 0
        expires = today + dt.timedelta(days=rng.randint(20, max(30, years * 365))) if period else None
        if status == "特別永住者":
            arrived = None  # born in Japan
        else:
            low, high = ARRIVED_DAYS[status]
            arrived = today - dt.timedelta(days=rng.randint(low, high))
            arrived = max(arrived, _years_before(head.birth, -16))
        from_abroad = status not in ("永住者", "定住者") or rng.random() < 0.5
        previous = head.nationality if from_abroad else self.other_place()
        tsusho_surname = rng.choice(TSUSHO_SURNAMES)
        for p in members:
            dependant = p is not head
            if status == "特別永住者":
                p.residence_status, p.residence_period, p.residence_expires_on = status, "", None
            elif status == "永住者" and dependant:
                p.residence_status, p.residence_period = (
                    "永住者の配偶者等",
                    rng.choice(PERIODS["永住者の配偶者等"]),
                )
                p.residence_expires_on = today + dt.timedelta(days=rng.randint(20, 3 * 365))
            elif status == "定住者" or not dependant:
                p.residence_status, p.residence_period, p.residence_expires_on = status, period, expires
            else:
                p.residence_status, p.residence_period, p.residence_expires_on = "家族滞在", period, expires
            p.art30_45 = (
                Art30_45.SPECIAL_PERMANENT.value
                if p.residence_status == "特別永住者"
                else Art30_45.MID_LONG.value
            )
            p.residence_card_no = self.card_no()
            if arrived is None or p.birth >= arrived:
                p.became = p.birth
            else:
                p.became, p.previous_address = arrived, previous
            if p.became < FOREIGN_REGISTER_START:
                p.became, p.previous_address = FOREIGN_REGISTER_START, ""
            if (status == "特別永住者" and rng.random() < 0.85) or (
                status == "永住者" and rng.random() < 0.2
            ):
                given = self.given(p.sex, p.birth.year, set())
                p.tsusho = f"{tsusho_surname} {given[0]}"
            p.kana_confirmed = rng.random() < 0.9
        self._address_dates(members)

    def card_no(self) -> str:
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
        while True:
            card = (
                "".join(self.rng.choice(letters) for _ in range(2))
                + f"{self.rng.randrange(10**8):08d}"
                + "".join(self.rng.choice(letters) for _ in range(2))
            )
            if card not in self.taken_cards:
                self.taken_cards.add(card)
                return card

    # -- numbers --

    def numbers(self, person: _Person) -> None:
        rng = self.rng
        while True:
            body = f"{rng.randrange(1, 10**10):010d}"
            code = f"{body}{juminhyo_code_check_digit(body)}"
            if code not in self.taken_codes:
                self.taken_codes.add(code)
                person.juminhyo_code = code
                break
        while True:
            body = f"{rng.randrange(10**10, 10**11):011d}"
            number = f"{body}{mynumber_check_digit(body)}"
            index = crypto.blind_index(number, purpose=records.MYNUMBER_PURPOSE)
            if index not in self.taken_indexes:
                self.taken_indexes.add(index)
                person.mynumber, person.mynumber_index = number, index
                return


def _plan(planner: _Planner, residents: int) -> list[_Household]:
    """Households until exactly ``residents`` people are planned (the last one trimmed)."""
    rng = planner.rng
    households: list[_Household] = []
    total = foreign = 0
    while total < residents:
        # Keep the foreign share near FOREIGN_SHARE all along (household sizes differ).
        chance = 0.05 if foreign < FOREIGN_SHARE * total else 0.005
        if rng.random() < chance:
            members = planner.foreign_household()
            share = KATAGAKI_SHARE["foreign"]
        else:
            members, kind = planner.household()
            if (
                kind in ("family", "three_gen_middle", "three_gen_elder", "parent_adult_child")
                and rng.random() < 0.02
            ):
                members.append(planner.lodger(members[0]))
            share = KATAGAKI_SHARE.get(
                "single"
                if kind == "single_adult"
                else "young_family"
                if kind in ("family", "single_parent")
                else "other",
                KATAGAKI_SHARE["other"],
            )
            for m in members:
                if not m.koseki:
                    m.koseki = m.name
            honseki_by_koseki: dict[str, str] = {}
            native = rng.random() < (0.4 if kind == "single_adult" else 0.65)
            address, katagaki, postal = planner.dwelling(share)
            home = f"{PREFECTURE}{address.split('番')[0]}番地" if native and not katagaki else ""
            for m in members:
                if m.koseki not in honseki_by_koseki:
                    honseki_by_koseki[m.koseki] = planner.honseki(home)
                m.honseki = honseki_by_koseki[m.koseki]
                m.kana_confirmed = rng.random() < 0.97
            planner.japanese_dates(members, native)
            households.append(_Household(address, katagaki, postal, members))
            total += len(members)
            continue
        address, katagaki, postal = planner.dwelling(share)
        households.append(_Household(address, katagaki, postal, members))
        total += len(members)
        foreign += len(members)
    excess = total - residents
    while excess > 0:
        last = households[-1]
        drop = min(excess, len(last.members))
        if drop == len(last.members):
            households.pop()
        else:
            del last.members[-drop:]
        excess -= drop
    for household in households:
        for person in household.members:
            planner.numbers(person)
    _history(planner, households)
    _partial_births(planner, households)
    return households


def _history(planner: _Planner, households: list[_Household]) -> None:
    """Mark about 1% as moved out and 1% as deceased, keeping every active household's head alive."""
    rng, today = planner.rng, planner.today
    people = sum(len(h.members) for h in households)
    dead_pool: list[tuple[_Household, _Person]] = []
    gone_pool: list[tuple[_Household, _Person]] = []
    for h in households:
        single = len(h.members) == 1
        for p in h.members:
            age = _age(p.birth, today)
            if age >= 70 and (
                (single and p.relationship == HEAD) or p.relationship in ("妻", "夫", "父", "母")
            ):
                dead_pool.append((h, p))
            elif (single and p.relationship == HEAD and 18 <= age <= 64) or (
                p.relationship == "子" and 18 <= age <= 35 and len(h.members) >= 3
            ):
                gone_pool.append((h, p))
    rng.shuffle(dead_pool)
    rng.shuffle(gone_pool)
    four_years = 4 * 365

    def left_date(p: _Person) -> dt.date | None:
        assert p.address_set is not None
        earliest = max(p.address_set + dt.timedelta(days=1), today - dt.timedelta(days=four_years))
        if earliest >= today:
            return None
        return earliest + dt.timedelta(days=rng.randint(0, (today - earliest).days - 1))

    for pool, target, status in (
        (dead_pool, round(people * DECEASED_SHARE), Status.DECEASED.value),
        (gone_pool, round(people * MOVED_OUT_SHARE), Status.MOVED_OUT.value),
    ):
        done = 0
        for _h, p in pool:
            if done >= target:
                break
            if p.status != Status.RESIDENT.value:
                continue
            left = left_date(p)
            if left is None:
                continue
            p.status, p.left_on = status, left
            if status == Status.DECEASED.value:
                p.last_idou_kind = Idou.Type.DEATH.value
            else:
                p.last_idou_kind = Idou.Type.MOVE_OUT.value
                p.moved_out_to = p.nationality if p.kind == Kind.FOREIGN.value else planner.other_place()
            p.last_idou_date = left
            done += 1


def _partial_births(planner: _Planner, households: list[_Household]) -> None:
    """A handful of very old residents born here whose birth day (不詳) is unknown."""
    candidates = [
        p
        for h in households
        for p in h.members
        if p.kind == Kind.JAPANESE.value
        and p.status == Status.RESIDENT.value
        and _age(p.birth, planner.today) >= 85
        and p.became == p.birth
    ]
    for p in planner.rng.sample(candidates, min(PARTIAL_BIRTH_DATES, len(candidates))):
        p.birth_partial = PartialDate(p.birth.year, p.birth.month)
        p.became_partial = p.birth_partial
        if p.address_set == p.birth:
            p.address_set = None  # follows became (partial) below
        if p.last_idou_date == p.birth:
            p.last_idou_date = None
        p.notified_on = None


# --- loading ------------------------------------------------------------------------------------


def _reserve_numbers(series: str, count: int) -> list[str]:
    """Reserve ``count`` issuable serials of ``series`` (as the services issue them, skipping serials
    whose check digit would be 10) and return the numbers with their check digit."""
    NumberSequence.objects.get_or_create(name=series)
    row = NumberSequence.objects.select_for_update().get(name=series)
    serial = row.last_value
    out: list[str] = []
    while len(out) < count:
        serial += 1
        if serial_is_issuable(str(serial).zfill(numbers.SERIAL_WIDTH)):
            out.append(with_check_digit(serial, numbers.SERIAL_WIDTH))
    NumberSequence.objects.filter(pk=row.pk).update(last_value=serial)
    return out


def _reserve_range(series: str, count: int) -> int:
    """Reserve ``count`` consecutive values of a plain series; returns the first."""
    NumberSequence.objects.get_or_create(name=series)
    row = NumberSequence.objects.select_for_update().get(name=series)
    NumberSequence.objects.filter(pk=row.pk).update(last_value=row.last_value + count)
    return row.last_value + 1


def _pd(day: dt.date | None, partial: PartialDate | None = None) -> PartialDate | None:
    if partial is not None:
        return partial
    return PartialDate.from_date(day) if day else None


def _resident(p: _Person, atena_no: str, household: Household, seq: int) -> Resident:
    birth = _pd(p.birth, p.birth_partial)
    assert birth is not None  # every generated person has a (possibly partial) birth date
    became = _pd(p.became, p.became_partial)
    resident = Resident(
        atena_no=atena_no,
        household=household,
        rireki_no=1,
        status=p.status,
        kind=p.kind,
        name=p.name,
        name_kana=p.name_kana,
        kana_confirmed=p.kana_confirmed,
        former_surname=p.former_surname,
        former_surname_kana=p.former_surname_kana,
        birth_date=birth,
        sex=p.sex,
        relationship=p.relationship,
        honseki=p.honseki if p.kind == Kind.JAPANESE.value else "",
        hittousha=p.koseki if p.kind == Kind.JAPANESE.value else "",
        became_resident_on=became,
        address_set_on=_pd(p.address_set) or became,
        notified_on=p.notified_on,
        previous_address=p.previous_address,
        moved_out_to=p.moved_out_to,
        left_on=_pd(p.left_on),
        mynumber_enc=crypto.encrypt(p.mynumber),
        mynumber_index=p.mynumber_index,
        juminhyo_code=p.juminhyo_code,
        nationality=p.nationality,
        alphabet_name=p.alphabet_name,
        tsusho=p.tsusho,
        residence_status=p.residence_status,
        residence_period=p.residence_period,
        residence_expires_on=p.residence_expires_on,
        residence_card_no=p.residence_card_no,
        art30_45=p.art30_45,
        last_idou_kind=p.last_idou_kind,
        last_idou_date=_pd(p.last_idou_date) or became,
        last_seq=seq,
    )
    records.resident_search_refresh(resident)
    return resident


def demo_load(*, residents: int, stdout: Any, seed: int = 1, today: dt.date | None = None) -> None:
    """Load ``residents`` fictional residents of 一ノ森市 as 本登録 data, appending to any already there.

    Deterministic for a given ``seed``, ``today`` and number of residents already registered (only
    the encryption nonces and ``processed_at`` differ between runs)."""
    if residents < 1:
        raise ValueError("residents must be at least 1")
    started = time.monotonic()
    today = today or timezone.localdate()
    existing = Resident.objects.count()
    taken_indexes: set[str] = set()
    taken_codes: set[str] = set()
    if existing:
        for index, code in Resident.objects.values_list("mynumber_index", "juminhyo_code").iterator(
            chunk_size=5000
        ):
            taken_indexes.add(index)
            taken_codes.add(code)
    # Appending with the same seed must not plan the same people again.
    rng = random.Random(seed if not existing else seed * 1_000_003 + existing)
    planner = _Planner(rng, today, taken_indexes, taken_codes)
    households = _plan(planner, residents)
    total = sum(len(h.members) for h in households)
    stdout.write(
        f"Planned {total:,} residents in {len(households):,} households ({time.monotonic() - started:.1f}s)\n"
    )

    now = timezone.now()
    with transaction.atomic():
        setai_nos = _reserve_numbers(numbers.SETAI_SERIES, len(households))
        atena_nos = iter(_reserve_numbers(numbers.ATENA_SERIES, total))
        seq = _reserve_range(numbers.CHANGE_SERIES, total)

        household_objs = []
        for plan, setai_no in zip(households, setai_nos, strict=True):
            household = Household(
                setai_no=setai_no,
                postal_code=plan.postal_code,
                address=plan.address,
                katagaki=plan.katagaki,
                active=any(p.status == Status.RESIDENT.value for p in plan.members),
            )
            records.household_search_refresh(household)
            household_objs.append(household)
        for start in range(0, len(household_objs), BATCH):
            Household.objects.bulk_create(household_objs[start : start + BATCH])
        if any(h.pk is None for h in household_objs[:1]):  # backends without RETURNING
            ids = dict(Household.objects.filter(setai_no__in=setai_nos).values_list("setai_no", "pk"))
            for h in household_objs:
                h.pk = ids[h.setai_no]

        batch: list[Resident] = []
        history: list[ResidentHistory] = []
        loaded = 0
        next_report = PROGRESS_EVERY

        def flush() -> None:
            Resident.objects.bulk_create(batch, batch_size=BATCH)
            ResidentHistory.objects.bulk_create(history, batch_size=BATCH)
            batch.clear()
            history.clear()
            reset_queries()  # with DEBUG on, Django keeps every (multi-megabyte) INSERT in memory

        for plan, household in zip(households, household_objs, strict=True):
            head_name = next(
                (
                    p.name
                    for p in plan.members
                    if p.relationship == HEAD and p.status == Status.RESIDENT.value
                ),
                "",
            )
            for p in plan.members:
                resident = _resident(p, next(atena_nos), household, seq)
                batch.append(resident)
                history.append(
                    ResidentHistory(
                        atena_no=resident.atena_no,
                        rireki_no=1,
                        seq=seq,
                        idou=None,
                        idou_type=INITIAL_LOAD,
                        idou_date=resident.became_resident_on,
                        processed_at=now,
                        snapshot=records.resident_snapshot(resident, household, head_name),
                    )
                )
                seq += 1
                loaded += 1
            if len(batch) >= BATCH:
                flush()
            if loaded >= next_report:
                stdout.write(f"  {loaded:,} / {total:,} residents ({time.monotonic() - started:.1f}s)\n")
                next_report += PROGRESS_EVERY
        flush()

        foreign = sum(1 for h in households for p in h.members if p.kind == Kind.FOREIGN.value)
        living = [p for h in households for p in h.members if p.status == Status.RESIDENT.value]
        elderly = sum(1 for p in living if _age(p.birth, today) >= 65)
        summary = {
            "residents": total,
            "households": len(households),
            "active_households": sum(1 for h in household_objs if h.active),
            "living": len(living),
            "foreign": foreign,
            "moved_out": sum(1 for h in households for p in h.members if p.status == Status.MOVED_OUT.value),
            "deceased": sum(1 for h in households for p in h.members if p.status == Status.DECEASED.value),
            "aged_65_plus_share": round(elderly / len(living), 3) if living else 0,
            "seed": seed,
        }
        audit_record(actor="system", action="demo_load", target_type="residents", detail=summary)
    # Fresh planner statistics after a bulk load; without them PostgreSQL guesses a prefix matches a
    # few dozen rows and picks a plan that sorts thousands.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    elapsed = time.monotonic() - started
    stdout.write(
        f"Loaded {total:,} residents ({summary['living']:,} living, {foreign:,} foreign, "
        f"{summary['moved_out']:,} moved out, {summary['deceased']:,} deceased; "
        f"{summary['aged_65_plus_share']:.1%} of the living aged 65+) in {len(households):,} households "
        f"({summary['active_households']:,} active) in {elapsed:.1f}s\n"
    )
