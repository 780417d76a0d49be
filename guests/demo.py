"""Deterministic demo data: two organizations, their hotels and staff, and guests with stays.

`seed_demo` and the `seed` benchmark share this module, so the benchmark times the very rows
the demo loads. Everything random comes from a `random.Random` seeded from `--seed` and the
organization's slug, so the same seed gives the same guests; dates are laid out around
"today" in each hotel's own time zone, so the front desk always has arrivals to show.

Guests and stays go in with PostgreSQL COPY, in chunks, because a million guests and three
million stays through the ORM would take hours. The COPY rows carry what `save()` would have
set: `organization_id`, `search_name` (folded exactly as `GuestProfile.save()` does) and the
`created_at`/`updated_at` timestamps that `auto_now` cannot fill.
"""
import datetime
import io
import json
import random
from bisect import bisect_right
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import connection as default_connection
from django.db import transaction
from django.utils import timezone

from guests.catalog import preference_catalog_seed
from guests.models import GuestPreference, GuestProfile, PreferenceType, SpecialDate, Stay, StayStatus, fold_for_search
from hotelcrm.audit import audit_record
from hotelcrm.models import AuditEvent, Hotel, Membership, Organization, Role
from hotelcrm.tenancy import tenant_models

DEFAULT_SEED = 20240611
DEFAULT_GUESTS = 2_000
# Guests per COPY statement; their stays (about three each) go in a COPY of their own.
CHUNK_GUESTS = 50_000
# Stays are spread over this many days back from today, and this many days ahead.
HISTORY_DAYS = 3 * 365
BOOKING_HORIZON_DAYS = 42


# --- The demo tenants -------------------------------------------------------------------------
@dataclass(frozen=True)
class HotelSpec:
    code: str
    name: str
    time_zone: str
    currency: str
    address: str
    floors: tuple  # first and last floor with guest rooms
    rooms_per_floor: int
    nightly_rate: tuple  # low and high nightly room rate, in the hotel's currency
    share: float  # how likely this is a guest's home hotel within the organization


@dataclass(frozen=True)
class StaffSpec:
    username: str
    first_name: str
    last_name: str
    role: str
    hotel_code: str


@dataclass(frozen=True)
class OrganizationSpec:
    slug: str
    name: str
    default_language: str
    currency: str
    guest_share: float  # share of --guests that belong to this organization
    guest_mix: str  # key of GUEST_MIXES
    hotels: tuple
    staff: tuple


DEMO_ORGANIZATIONS = (
    OrganizationSpec(
        slug="demo-yangtze",
        name="Yangtze Hotels Group",
        default_language="zh-hans",
        currency="CNY",
        guest_share=0.7,
        guest_mix="china",
        hotels=(
            HotelSpec(
                code="sha-bund", name="Yangtze Grand Shanghai Bund", time_zone="Asia/Shanghai", currency="CNY",
                address="18 Zhongshan East 1st Road, Huangpu District, Shanghai 200002",
                floors=(3, 32), rooms_per_floor=24, nightly_rate=(680, 1880), share=0.65,
            ),
            HotelSpec(
                code="urc-silk", name="Yangtze Silk Road Urumqi", time_zone="Asia/Urumqi", currency="CNY",
                address="66 Renmin Road, Tianshan District, Urumqi, Xinjiang 830002",
                floors=(2, 18), rooms_per_floor=20, nightly_rate=(380, 980), share=0.35,
            ),
        ),
        staff=(
            StaffSpec("yangtze.admin", "Jing", "Chen", Role.GROUP_ADMIN, "sha-bund"),
            StaffSpec("sha.desk", "Lei", "Wang", Role.FRONT_DESK, "sha-bund"),
            StaffSpec("sha.relations", "Fang", "Liu", Role.GUEST_RELATIONS, "sha-bund"),
            StaffSpec("sha.manager", "Min", "Zhao", Role.MANAGER, "sha-bund"),
            StaffSpec("urc.desk", "Dilnur", "Aziz", Role.FRONT_DESK, "urc-silk"),
            StaffSpec("urc.relations", "Hui", "Zhou", Role.GUEST_RELATIONS, "urc-silk"),
            StaffSpec("urc.manager", "Jun", "Ma", Role.MANAGER, "urc-silk"),
        ),
    ),
    OrganizationSpec(
        slug="demo-kensington",
        name="Kensington Garden Hotel",
        default_language="en",
        currency="GBP",
        guest_share=0.3,
        guest_mix="international",
        hotels=(
            HotelSpec(
                code="ldn-kensington", name="Kensington Garden Hotel", time_zone="Europe/London", currency="GBP",
                address="27 Kensington Gore, London SW7 2ET, United Kingdom",
                floors=(1, 7), rooms_per_floor=18, nightly_rate=(165, 520), share=1.0,
            ),
        ),
        staff=(
            StaffSpec("kensington.admin", "Eleanor", "Hughes", Role.GROUP_ADMIN, "ldn-kensington"),
            StaffSpec("ldn.desk", "Oliver", "Bennett", Role.FRONT_DESK, "ldn-kensington"),
            StaffSpec("ldn.relations", "Amelia", "Clarke", Role.GUEST_RELATIONS, "ldn-kensington"),
            StaffSpec("ldn.manager", "James", "Whitfield", Role.MANAGER, "ldn-kensington"),
        ),
    ),
)
DEMO_SLUGS = tuple(spec.slug for spec in DEMO_ORGANIZATIONS)

# Known on purpose: this is demo data. Each passes the project's password validators.
ROLE_PASSWORDS = {
    Role.FRONT_DESK: "Desk-Lantern-2048",
    Role.GUEST_RELATIONS: "Relations-Orchid-2048",
    Role.MANAGER: "Manager-Pagoda-2048",
    Role.GROUP_ADMIN: "Group-Compass-2048",
}
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "Admin-Harbour-2048"

# Hotels not described above (a benchmark's own, say) get this profile.
_DEFAULT_HOTEL = HotelSpec(
    code="", name="", time_zone="Asia/Shanghai", currency="CNY", address="",
    floors=(2, 20), rooms_per_floor=20, nightly_rate=(450, 1200), share=1.0,
)
_HOTEL_SPECS = {hotel.code: hotel for spec in DEMO_ORGANIZATIONS for hotel in spec.hotels}


# --- Names --------------------------------------------------------------------------------------
# Family names by rough frequency in mainland China (weights per 10,000), with passport pinyin.
_CHINESE_FAMILY = """
王 Wang 710 李 Li 700 张 Zhang 670 刘 Liu 540 陈 Chen 450 杨 Yang 310 黄 Huang 220 赵 Zhao 210
吴 Wu 200 周 Zhou 190 徐 Xu 130 孙 Sun 120 马 Ma 110 朱 Zhu 110 胡 Hu 100 郭 Guo 100 何 He 90
高 Gao 90 林 Lin 90 罗 Luo 80 郑 Zheng 80 梁 Liang 70 谢 Xie 60 宋 Song 50 唐 Tang 50 许 Xu 50
韩 Han 50 冯 Feng 40 邓 Deng 40 曹 Cao 40 彭 Peng 40 曾 Zeng 40 肖 Xiao 40 田 Tian 30 董 Dong 30
袁 Yuan 30 潘 Pan 30 于 Yu 30 蒋 Jiang 30 蔡 Cai 30 余 Yu 30 杜 Du 30 叶 Ye 30 程 Cheng 30
苏 Su 30 魏 Wei 30 吕 Lyu 20 丁 Ding 20 任 Ren 20 沈 Shen 20 姚 Yao 20 卢 Lu 20 姜 Jiang 20
崔 Cui 20 钟 Zhong 20 谭 Tan 20 陆 Lu 20 汪 Wang 20 范 Fan 20 金 Jin 20 石 Shi 20 廖 Liao 20
贾 Jia 20 夏 Xia 20 韦 Wei 20 付 Fu 20 方 Fang 20 白 Bai 20 邹 Zou 20 孟 Meng 20 熊 Xiong 20
秦 Qin 20 邱 Qiu 20 江 Jiang 20 尹 Yin 20 薛 Xue 20 闫 Yan 20 段 Duan 20 雷 Lei 20 侯 Hou 20
龙 Long 20 史 Shi 20 陶 Tao 20 黎 Li 20 贺 He 20 顾 Gu 20 毛 Mao 20 郝 Hao 20 龚 Gong 20
邵 Shao 20 万 Wan 20 钱 Qian 20 严 Yan 20 武 Wu 20 戴 Dai 20 莫 Mo 10 孔 Kong 10 向 Xiang 10
汤 Tang 10 欧阳 Ouyang 5 司马 Sima 2 诸葛 Zhuge 1 上官 Shangguan 1
"""
# Characters of given names: m = mostly boys' names, f = mostly girls', n = either.
_CHINESE_GIVEN = """
伟 Wei m 强 Qiang m 磊 Lei m 军 Jun m 勇 Yong m 杰 Jie m 涛 Tao m 斌 Bin m 超 Chao m 明 Ming m
刚 Gang m 辉 Hui m 鹏 Peng m 飞 Fei m 鑫 Xin m 波 Bo m 浩 Hao m 凯 Kai m 健 Jian m 俊 Jun m
帆 Fan m 旭 Xu m 龙 Long m 建 Jian m 国 Guo m 志 Zhi m 博 Bo m 轩 Xuan m 泽 Ze m 睿 Rui m
航 Hang m 海 Hai m 成 Cheng m 东 Dong m 峰 Feng m 亮 Liang m 豪 Hao m 毅 Yi m 昊 Hao m 天 Tian m
芳 Fang f 娜 Na f 敏 Min f 静 Jing f 丽 Li f 艳 Yan f 娟 Juan f 霞 Xia f 秀 Xiu f 玲 Ling f
英 Ying f 慧 Hui f 婷 Ting f 雪 Xue f 琳 Lin f 晶 Jing f 颖 Ying f 倩 Qian f 洁 Jie f 怡 Yi f
梦 Meng f 雅 Ya f 蕾 Lei f 萍 Ping f 红 Hong f 燕 Yan f 梅 Mei f 兰 Lan f 月 Yue f 诗 Shi f
涵 Han f 琪 Qi f 悦 Yue f 美 Mei f 玉 Yu f 婉 Wan f 璐 Lu f 瑶 Yao f 薇 Wei f 欢 Huan f
文 Wen n 晨 Chen n 子 Zi n 宇 Yu n 嘉 Jia n 思 Si n 一 Yi n 欣 Xin n 佳 Jia n 晓 Xiao n
小 Xiao n 宁 Ning n 阳 Yang n 林 Lin n 华 Hua n 平 Ping n 安 An n 然 Ran n 乐 Le n 可 Ke n
"""


def _parse_chinese_family(text):
    tokens = text.split()
    return [(tokens[i], tokens[i + 1], int(tokens[i + 2])) for i in range(0, len(tokens), 3)]


def _parse_chinese_given(text):
    tokens = text.split()
    chars = {"m": [], "f": []}
    for i in range(0, len(tokens), 3):
        hanzi, pinyin, kind = tokens[i : i + 3]
        for gender in ("m", "f") if kind == "n" else (kind,):
            chars[gender].append((hanzi, pinyin))
    return chars


CHINESE_FAMILY_NAMES = _parse_chinese_family(_CHINESE_FAMILY)
CHINESE_GIVEN_CHARACTERS = _parse_chinese_given(_CHINESE_GIVEN)


@dataclass(frozen=True)
class Culture:
    """Names in Latin script, as on a passport, and where such guests come from."""

    language: str
    nationalities: tuple  # (ISO 3166 code, weight)
    male: tuple
    female: tuple
    family: tuple
    feminine_family_suffix: str = ""  # Russian family names take -a for women


def _names(text):
    return tuple(text.split(","))


INTERNATIONAL_CULTURES = {
    "english": Culture(
        "en", (("GB", 40), ("US", 30), ("AU", 12), ("CA", 10), ("NZ", 4), ("IE", 4)),
        _names("James,John,Robert,Michael,William,David,Richard,Thomas,Daniel,Matthew,Oliver,Harry,George,Jack,Samuel,Benjamin,Christopher,Andrew,Edward,Henry"),
        _names("Mary,Elizabeth,Sarah,Emma,Olivia,Charlotte,Sophie,Emily,Jessica,Hannah,Grace,Lucy,Amelia,Chloe,Rebecca,Laura,Rachel,Catherine,Alice,Victoria"),
        _names("Smith,Johnson,Williams,Brown,Jones,Taylor,Davies,Wilson,Evans,Thomas,Roberts,Walker,Wright,Robinson,Thompson,White,Hughes,Edwards,Green,Hall,Wood,Harris,Martin,Clarke,Jackson,Turner,Hill,Moore,Cooper,O'Brien,Murphy,Anderson,Miller,Campbell"),
    ),
    "japanese": Culture(
        "ja", (("JP", 1),),
        _names("Hiroshi,Takashi,Kenji,Daisuke,Yuki,Haruto,Sota,Ren,Takumi,Kazuki,Shota,Naoki"),
        _names("Yui,Aoi,Sakura,Yuna,Haruka,Misaki,Ayaka,Yoko,Keiko,Emi,Nanami,Mei"),
        _names("Sato,Suzuki,Takahashi,Tanaka,Watanabe,Ito,Yamamoto,Nakamura,Kobayashi,Kato,Yoshida,Yamada,Sasaki,Yamaguchi,Matsumoto,Inoue,Kimura,Hayashi,Shimizu,Saito"),
    ),
    "korean": Culture(
        "ko", (("KR", 1),),
        _names("Min-jun,Seo-jun,Ji-hoon,Hyun-woo,Jun-ho,Dong-hyun,Sung-min,Jae-won"),
        _names("Seo-yeon,Ji-woo,Min-seo,Ha-eun,Soo-jin,Ji-hye,Eun-ji,Yu-na"),
        _names("Kim,Lee,Park,Choi,Jung,Kang,Cho,Yoon,Jang,Lim,Han,Oh,Seo,Shin,Kwon"),
    ),
    "german": Culture(
        "de", (("DE", 75), ("AT", 15), ("CH", 10)),
        _names("Lukas,Maximilian,Jonas,Felix,Leon,Paul,Stefan,Thomas,Jürgen,Klaus,Matthias,Tobias"),
        _names("Anna,Lena,Sophie,Marie,Katharina,Julia,Laura,Sabine,Ursula,Jana,Leonie,Hannah"),
        _names("Müller,Schmidt,Schneider,Fischer,Weber,Meyer,Wagner,Becker,Schulz,Hoffmann,Schäfer,Koch,Bauer,Richter,Klein,Wolf,Schröder,Neumann,Schwarz,Zimmermann,Krüger,Hartmann,Lange,Weiß"),
    ),
    "french": Culture(
        "fr", (("FR", 80), ("BE", 10), ("CH", 5), ("CA", 5)),
        _names("Jean,Pierre,Louis,Gabriel,Lucas,Hugo,Théo,Antoine,Nicolas,Julien,François,Mathieu"),
        _names("Camille,Léa,Chloé,Manon,Inès,Juliette,Élodie,Céline,Amélie,Sophie,Marion,Aurélie"),
        _names("Martin,Bernard,Dubois,Thomas,Robert,Richard,Petit,Durand,Leroy,Moreau,Simon,Laurent,Lefèvre,Michel,Garcia,David,Bertrand,Roux,Vincent,Fournier,Girard,Bonnet,Rousseau,Lambert,Faure"),
    ),
    "spanish": Culture(
        "es", (("ES", 60), ("MX", 25), ("AR", 15)),
        _names("Alejandro,Daniel,Pablo,Javier,Carlos,Sergio,Diego,Andrés,José,Manuel"),
        _names("Lucía,María,Paula,Sofía,Carmen,Elena,Marta,Isabel,Laura,Ana"),
        _names("García,Fernández,González,Rodríguez,López,Martínez,Sánchez,Pérez,Gómez,Martín,Jiménez,Ruiz,Hernández,Díaz,Moreno,Álvarez"),
    ),
    "italian": Culture(
        "it", (("IT", 1),),
        _names("Marco,Luca,Giuseppe,Francesco,Alessandro,Andrea,Matteo,Lorenzo,Giovanni,Davide"),
        _names("Giulia,Francesca,Chiara,Sara,Martina,Valentina,Alessia,Elena,Federica,Giorgia"),
        _names("Rossi,Russo,Ferrari,Esposito,Bianchi,Romano,Colombo,Ricci,Marino,Greco,Bruno,Gallo,Conti,De Luca,Costa"),
    ),
    "russian": Culture(
        "ru", (("RU", 1),),
        _names("Alexander,Dmitry,Sergey,Andrey,Alexey,Ivan,Mikhail,Nikolai"),
        _names("Anastasia,Elena,Olga,Natalia,Tatiana,Maria,Ekaterina,Irina"),
        _names("Ivanov,Smirnov,Kuznetsov,Popov,Vasiliev,Petrov,Sokolov,Mikhailov,Novikov,Fedorov,Morozov,Volkov,Lebedev,Kozlov"),
        feminine_family_suffix="a",
    ),
    "indian": Culture(
        "en", (("IN", 1),),
        _names("Rahul,Amit,Vikram,Arjun,Rohan,Sanjay,Anil,Karthik"),
        _names("Priya,Ananya,Deepika,Kavya,Neha,Pooja,Lakshmi,Meera"),
        _names("Sharma,Patel,Singh,Kumar,Gupta,Reddy,Iyer,Nair,Mehta,Shah"),
    ),
    "portuguese": Culture(
        "pt", (("BR", 70), ("PT", 30)),
        _names("João,Pedro,Lucas,Gabriel,Rafael,Thiago"),
        _names("Ana,Beatriz,Mariana,Larissa,Camila,Júlia"),
        _names("Silva,Santos,Oliveira,Souza,Pereira,Costa,Carvalho,Almeida,Ribeiro,Gonçalves"),
    ),
}

# Who stays where: the share of guests from each culture ("chinese" is the Hanzi + pinyin path).
GUEST_MIXES = {
    "china": {
        "chinese": 82, "english": 4, "japanese": 3, "korean": 3, "german": 2, "french": 1.5,
        "russian": 1.5, "indian": 1, "spanish": 0.5, "italian": 0.5, "portuguese": 0.5,
    },
    "international": {
        "chinese": 18, "english": 38, "french": 8, "german": 7, "spanish": 5, "italian": 5,
        "japanese": 5, "korean": 3, "indian": 5, "portuguese": 3, "russian": 3,
    },
}
# Chinese-named guests: mostly mainland passports, some from Singapore and Malaysia.
_CHINESE_NATIONALITIES = (("CN", "zh-hans", 92), ("SG", "zh-hans", 3), ("SG", "en", 1), ("MY", "zh-hans", 3), ("MY", "en", 1))
_GENDERS = (("male", 48), ("female", 48), ("unknown", 3), ("other", 1))
# Stays per guest: most come once or twice, a few are regulars (mean about 3.1).
_STAY_COUNTS = ((1, 30), (2, 22), (3, 16), (4, 11), (5, 8), (6, 5), (8, 5), (12, 3))
_NIGHTS = ((1, 30), (2, 25), (3, 18), (4, 10), (5, 6), (6, 3), (7, 4), (10, 2), (14, 2))


class _Picker:
    """Weighted choice with one random draw and a bisect (random.choices is slower per call)."""

    __slots__ = ("items", "cumulative", "total", "last")

    def __init__(self, pairs):
        self.items = [item for item, _weight in pairs]
        self.cumulative = []
        total = 0.0
        for _item, weight in pairs:
            total += weight
            self.cumulative.append(total)
        self.total = total
        self.last = len(self.items) - 1

    def __call__(self, draw):
        index = bisect_right(self.cumulative, draw * self.total)
        return self.items[index if index <= self.last else self.last]


# --- Guest and stay rows ---------------------------------------------------------------------
# Columns of the COPY rows, in order. A guest row leads with its id, a stay row with its
# guest's id; the generator yields the rest, every value already text for COPY.
GUEST_COLUMNS = (
    "id", "organization_id", "family_name", "given_name", "native_name", "gender", "nationality",
    "preferred_language", "search_name", "created_at", "updated_at",
)
STAY_COLUMNS = (
    "guest_id", "organization_id", "hotel_id", "pms_reservation_id", "arrival_on", "departure_on",
    "room_number", "status", "room_revenue", "fb_revenue", "other_revenue", "created_at",
)

_SECONDS_PER_DAY = 86_400


@dataclass
class _HotelPlan:
    pk: int
    code: str
    today: int  # the hotel's local date as an ordinal
    utc_offset: int  # seconds east of UTC at seeding time
    rooms: list
    rate_low: int  # nightly rate in cents
    rate_span: int
    reservation_prefix: str
    today_quota: int = 0
    reservations: int = 0


def _hotel_plans(hotels, now, n_guests):
    plans = []
    for hotel in hotels:
        spec = _HOTEL_SPECS.get(hotel.code, _DEFAULT_HOTEL)
        local_now = now.astimezone(hotel.tz)
        low, high = spec.nightly_rate
        plans.append(
            _HotelPlan(
                pk=hotel.pk,
                code=hotel.code,
                today=local_now.date().toordinal(),
                # One offset per hotel: booking times may be an hour off across a DST change,
                # which no screen shows; the dates, which screens do show, are exact.
                utc_offset=int(local_now.utcoffset().total_seconds()),
                rooms=[
                    f"{floor}{room:02d}"
                    for floor in range(spec.floors[0], spec.floors[1] + 1)
                    for room in range(1, spec.rooms_per_floor + 1)
                ],
                rate_low=low * 100,
                rate_span=(high - low) * 100,
                reservation_prefix=hotel.code.upper()[:12] + "-",
                # A busy desk, but not a swamped one: every hotel gets arrivals today.
                today_quota=max(4, min(150, n_guests // (150 * max(1, len(hotels))))),
            )
        )
    return plans


def _home_hotel_picker(hotels):
    return _Picker([(index, _HOTEL_SPECS.get(h.code, _DEFAULT_HOTEL).share) for index, h in enumerate(hotels)])


def guest_rows(organization, hotels, n_guests, rng, *, now=None, guest_mix=None):
    """Yield `(guest_row, stay_rows)` for `n_guests` guests of `organization`, all from `rng`.

    `guest_row` is GUEST_COLUMNS without the id, `stay_rows` are STAY_COLUMNS without the
    guest id, every value already formatted as COPY text. The same organization, hotels,
    `rng` state and `now` give the same rows. Stay dates follow each hotel's local "today":
    past stays are checked out (or cancelled / no-show), current ones in house, future ones
    booked, and the first guests include arrivals for today at every hotel.
    """
    now = now or timezone.now()
    hotels = list(hotels)
    if not hotels:
        raise ValueError("The organization needs at least one hotel to give its guests stays.")
    mix_name = guest_mix or ("china" if organization.default_language.startswith("zh") else "international")
    culture_pick = _Picker(list(GUEST_MIXES[mix_name].items()))
    gender_pick = _Picker(_GENDERS)
    stay_count_pick = _Picker(_STAY_COUNTS)
    nights_pick = _Picker(_NIGHTS)
    family_pick = _Picker([((hanzi, pinyin), weight) for hanzi, pinyin, weight in CHINESE_FAMILY_NAMES])
    chinese_nationality_pick = _Picker([((code, language), weight) for code, language, weight in _CHINESE_NATIONALITIES])
    given_chars = CHINESE_GIVEN_CHARACTERS
    cultures = {
        name: (culture, _Picker(culture.nationalities)) for name, culture in INTERNATIONAL_CULTURES.items()
    }
    plans = _hotel_plans(hotels, now, n_guests)
    home_pick = _home_hotel_picker(hotels)
    n_hotels = len(plans)
    today_guests = sum(plan.today_quota for plan in plans)

    org_id = str(organization.pk)
    now_seconds = int(now.timestamp()) + datetime.date(1970, 1, 1).toordinal() * _SECONDS_PER_DAY
    reference_today = max(plan.today for plan in plans)
    first_day = reference_today - HISTORY_DAYS
    last_day = reference_today + BOOKING_HORIZON_DAYS
    dates = {}

    def day_text(ordinal):
        text = dates.get(ordinal)
        if text is None:
            text = dates[ordinal] = datetime.date.fromordinal(ordinal).isoformat()
        return text

    def timestamp_text(seconds):
        day, rest = divmod(seconds, _SECONDS_PER_DAY)
        hours, rest = divmod(rest, 3600)
        minutes, secs = divmod(rest, 60)
        return f"{day_text(day)} {hours:02d}:{minutes:02d}:{secs:02d}+00"

    def money(cents):
        return f"{cents // 100}.{cents % 100:02d}"

    folded = {}
    random_ = rng.random

    for index in range(n_guests):
        # --- who -----------------------------------------------------------------------------
        culture_name = culture_pick(random_())
        gender = gender_pick(random_())
        sex = gender if gender in ("male", "female") else ("male" if random_() < 0.5 else "female")
        if culture_name == "chinese":
            family_hanzi, family_name = family_pick(random_())
            chars = given_chars["m" if sex == "male" else "f"]
            first_hanzi, first_pinyin = chars[int(random_() * len(chars))]
            if random_() < 0.65:
                second_hanzi, second_pinyin = chars[int(random_() * len(chars))]
                given_name = first_pinyin + second_pinyin.lower()
                native_name = family_hanzi + first_hanzi + second_hanzi
            else:
                given_name = first_pinyin
                native_name = family_hanzi + first_hanzi
            nationality, language = chinese_nationality_pick(random_())
        else:
            culture, nationality_pick = cultures[culture_name]
            names = culture.male if sex == "male" else culture.female
            given_name = names[int(random_() * len(names))]
            family_name = culture.family[int(random_() * len(culture.family))]
            if sex == "female" and culture.feminine_family_suffix:
                family_name += culture.feminine_family_suffix
            native_name = ""
            nationality = nationality_pick(random_())
            language = culture.language
        key = (family_name, given_name, native_name)
        search_name = folded.get(key)
        if search_name is None:
            # Exactly what GuestProfile.save() stores, so search finds seeded guests too.
            search_name = folded[key] = fold_for_search(family_name, given_name, native_name)

        # --- when and where they stayed ----------------------------------------------------------
        home = home_pick(random_())
        count = stay_count_pick(random_())
        arriving_today = plans[index % n_hotels] if index < today_guests else None
        window_end = last_day if arriving_today is None else reference_today - 15
        window_start = first_day + int(random_() * (window_end - first_day) * 0.6) if count > 1 else first_day
        span = window_end - window_start
        arrivals = sorted(window_start + int(random_() * span) for _ in range(count))
        visits = []
        free_from = 0
        for arrival in arrivals:
            if arrival < free_from:
                arrival = free_from + int(random_() * 30)
            nights = nights_pick(random_())
            if arrival > window_end:
                break
            plan = plans[home] if n_hotels == 1 or random_() < 0.75 else plans[int(random_() * n_hotels)]
            visits.append((plan, arrival, nights))
            free_from = arrival + nights + 1
        if arriving_today is not None:
            visits.append((arriving_today, arriving_today.today, nights_pick(random_())))

        stays = []
        first_booked = None
        last_touched = None
        for plan, arrival, nights in visits:
            today = plan.today
            departure = arrival + nights
            draw = random_()
            if arrival > today:
                status = "cancelled" if draw < 0.08 else "booked"
            elif arrival == today:
                status = "cancelled" if draw < 0.05 else ("in_house" if draw < 0.30 else "booked")
            elif departure > today:
                status = "no_show" if draw < 0.01 else ("cancelled" if draw < 0.03 else "in_house")
            elif departure == today:
                status = "checked_out" if draw < 0.55 else "in_house"
            else:
                status = "cancelled" if draw < 0.06 else ("no_show" if draw < 0.09 else "checked_out")

            if status == "checked_out":
                charged_nights = nights
            elif status == "in_house":
                charged_nights = today - arrival
            elif status == "no_show":
                charged_nights = 1
            else:
                charged_nights = 0
            # Every draw below happens whatever the branch, so the random stream (and with it
            # every later guest's name) does not depend on the clock, only on the seed.
            rate = plan.rate_low + int(random_() * plan.rate_span)
            room = rate * charged_nights
            fb_draw, fb_share, other_draw, other_share = random_(), random_(), random_(), random_()
            # A no-show pays the first night as a fee, and nothing at the restaurant.
            spends = status in ("checked_out", "in_house")
            fb = int(room * fb_share * 0.45) if spends and fb_draw < 0.7 else 0
            other = int(room * other_share * 0.12) if spends and other_draw < 0.5 else 0
            room_number = plan.rooms[int(random_() * len(plan.rooms))]

            # Booked between the day itself and four months ahead, in the hotel's daytime.
            lead_days = int(random_() * random_() * 120)
            booked_at = (arrival - lead_days) * _SECONDS_PER_DAY + 25_200 + int(random_() * 57_600) - plan.utc_offset
            jitter = int(random_() * 3_600)
            if booked_at >= now_seconds:
                booked_at = now_seconds - 60 - jitter
            if first_booked is None or booked_at < first_booked:
                first_booked = booked_at
            touched = booked_at if status in ("booked", "cancelled") else min(
                departure * _SECONDS_PER_DAY + 39_600 - plan.utc_offset, now_seconds - 1
            )
            if last_touched is None or touched > last_touched:
                last_touched = touched

            plan.reservations += 1
            stays.append(
                (
                    org_id,
                    str(plan.pk),
                    f"{plan.reservation_prefix}{plan.reservations:08d}",
                    day_text(arrival),
                    day_text(departure),
                    room_number if status not in ("cancelled", "no_show") else "",
                    status,
                    money(room),
                    money(fb),
                    money(other),
                    timestamp_text(booked_at),
                )
            )

        created_at = first_booked - int(random_() * 3 * _SECONDS_PER_DAY)
        updated_at = max(created_at, last_touched)
        guest = (
            org_id, family_name, given_name, native_name, gender, nationality, language, search_name,
            timestamp_text(created_at), timestamp_text(updated_at),
        )
        yield guest, stays


# --- COPY ---------------------------------------------------------------------------------------
def _copy_escape(text):
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _default_columns(model, provided, connection):
    """Columns the generator does not fill, with each field's default as COPY text.

    Other issues add fields to guests and stays; COPY bypasses Django, so their defaults are
    applied here once per load rather than forgotten.
    """
    columns, values = [], []
    for model_field in model._meta.concrete_fields:
        if model_field.column in provided or model_field.primary_key or model_field.has_db_default():
            continue
        if not model_field.has_default() and not model_field.null and not model_field.empty_strings_allowed:
            raise ValueError(
                f"{model._meta.label}.{model_field.name} has no default: teach guests.demo.guest_rows to fill it."
            )
        value = model_field.get_default()
        if value is not None and model_field.get_internal_type() != "JSONField":
            value = model_field.get_db_prep_save(value, connection)
        if value is None:
            text = "\\N"
        elif isinstance(value, bool):
            text = "t" if value else "f"
        elif model_field.get_internal_type() == "JSONField":
            text = _copy_escape(json.dumps(value))
        elif isinstance(value, (list, tuple)):  # ArrayField: PostgreSQL array literal
            items = ('"' + str(item).replace("\\", "\\\\").replace('"', '\\"') + '"' for item in value)
            text = _copy_escape("{" + ",".join(items) + "}")
        elif isinstance(value, (datetime.date, datetime.datetime)):
            text = value.isoformat()
        else:
            text = _copy_escape(str(value))
        columns.append(model_field.column)
        values.append(text)
    suffix = "".join("\t" + text for text in values)
    return columns, suffix


@dataclass
class CopyPlan:
    guest_sql: str
    stay_sql: str
    guest_suffix: str
    stay_suffix: str


def copy_plan(connection=None):
    connection = connection or default_connection
    guest_extra, guest_suffix = _default_columns(GuestProfile, set(GUEST_COLUMNS), connection)
    stay_extra, stay_suffix = _default_columns(Stay, set(STAY_COLUMNS) | {"id"}, connection)
    guest_table = GuestProfile._meta.db_table
    stay_table = Stay._meta.db_table
    return CopyPlan(
        guest_sql=f"COPY {guest_table} ({', '.join(GUEST_COLUMNS + tuple(guest_extra))}) FROM STDIN",
        stay_sql=f"COPY {stay_table} ({', '.join(STAY_COLUMNS + tuple(stay_extra))}) FROM STDIN",
        guest_suffix=guest_suffix,
        stay_suffix=stay_suffix,
    )


@dataclass
class CopyChunk:
    guests: bytes  # UTF-8 COPY text for GUEST_COLUMNS (plus defaulted columns)
    stays: bytes
    guest_count: int
    stay_count: int


def copy_chunks(records, *, allocate_ids, plan, chunk_size=CHUNK_GUESTS, progress=None):
    """Turn `guest_rows()` records into COPY text, `chunk_size` guests at a time.

    `allocate_ids(n)` returns n fresh guest ids; stays reference them, so the two COPY
    statements of a chunk must run in order (guests first).
    """
    guest_suffix = plan.guest_suffix + "\n"
    stay_suffix = plan.stay_suffix + "\n"
    batch = []
    progress_step = 5_000
    done = 0

    def flush():
        ids = allocate_ids(len(batch))
        guest_lines, stay_lines = [], []
        for guest_id, (guest, stays) in zip(ids, batch):
            guest_id = str(guest_id)
            guest_lines.append(guest_id + "\t" + "\t".join(guest) + guest_suffix)
            for stay in stays:
                stay_lines.append(guest_id + "\t" + "\t".join(stay) + stay_suffix)
        return CopyChunk(
            "".join(guest_lines).encode(), "".join(stay_lines).encode(), len(guest_lines), len(stay_lines)
        )

    for record in records:
        batch.append(record)
        done += 1
        if progress is not None and done % progress_step == 0:
            progress.update(progress_step)
        if len(batch) == chunk_size:
            yield flush()
            batch = []
    if progress is not None and done % progress_step:
        progress.update(done % progress_step)
    if batch:
        yield flush()


def copy_chunk_into(cursor, plan, chunk):
    """COPY one chunk: guests first, since its stays point at them."""
    # 1 MiB reads: psycopg2's default 8 KiB makes the client, not the server, the bottleneck.
    cursor.copy_expert(plan.guest_sql, io.BytesIO(chunk.guests), 1 << 20)  # positional: Django's debug cursor takes no size=
    if chunk.stay_count:
        cursor.copy_expert(plan.stay_sql, io.BytesIO(chunk.stays), 1 << 20)


def sequence_id_allocator(cursor):
    """Guest ids from the table's own identity sequence, so later ORM inserts never collide."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [GuestProfile._meta.db_table])
    (sequence,) = cursor.fetchone()

    def allocate(count):
        cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, count])
        return [row[0] for row in cursor.fetchall()]

    return allocate


@dataclass
class LoadResult:
    guests: int = 0
    stays: int = 0

    @property
    def rows(self):
        return self.guests + self.stays


def load_guests_and_stays(connection, organization, hotels, n_guests, rng, *, now=None, progress=None,
                          chunk_size=CHUNK_GUESTS, guest_mix=None):
    """Generate `n_guests` guests of `organization` with their stays and COPY them in.

    Contract: call it inside `transaction.atomic()` for all-or-nothing; `organization` must
    hold no stays from an earlier load (reservation numbers restart at 1 per hotel, and the
    unique constraint refuses a repeat). `progress` is anything with `update(n_guests)`, such
    as a tqdm bar.
    """
    plan = copy_plan(connection)
    result = LoadResult()
    records = guest_rows(organization, hotels, n_guests, rng, now=now, guest_mix=guest_mix)
    with connection.cursor() as cursor:
        allocate = sequence_id_allocator(cursor)
        for chunk in copy_chunks(records, allocate_ids=allocate, plan=plan, chunk_size=chunk_size, progress=progress):
            copy_chunk_into(cursor, plan, chunk)
            result.guests += chunk.guest_count
            result.stays += chunk.stay_count
    return result


# --- The demo as a whole ----------------------------------------------------------------------
@dataclass
class Login:
    username: str
    password: str
    role: str
    hotel: str
    organization: str
    note: str = ""


@dataclass
class SeedResult:
    skipped: bool
    organizations: list = field(default_factory=list)
    logins: list = field(default_factory=list)
    guests: int = 0
    stays: int = 0


def demo_rng(seed, organization_slug):
    # A string seed is hashed with SHA-512, so it does not depend on PYTHONHASHSEED.
    return random.Random(f"hotelcrm-demo:{seed}:{organization_slug}")


def demo_guest_counts(n_guests):
    """How `--guests` is split between the demo organizations (the counts add up to n_guests)."""
    counts = [int(n_guests * spec.guest_share) for spec in DEMO_ORGANIZATIONS]
    counts[0] += n_guests - sum(counts)
    return counts


def demo_organizations_present():
    return list(Organization.objects.filter(slug__in=DEMO_SLUGS).order_by("slug"))


def demo_tenants_ensure():
    """The demo organizations and their hotels, created or brought back to their demo values."""
    tenants = []
    for spec in DEMO_ORGANIZATIONS:
        organization, _created = Organization.objects.update_or_create(
            slug=spec.slug,
            defaults={"name": spec.name, "default_language": spec.default_language, "currency": spec.currency},
        )
        hotels = []
        for hotel_spec in spec.hotels:
            hotel, _created = Hotel.objects.update_or_create(
                organization=organization,
                code=hotel_spec.code,
                defaults={
                    "name": hotel_spec.name,
                    "time_zone": hotel_spec.time_zone,
                    "currency": hotel_spec.currency,
                    "address": hotel_spec.address,
                },
            )
            hotels.append(hotel)
        tenants.append((spec, organization, hotels))
    return tenants


def demo_staff_ensure(tenants):
    """A user per role at each demo hotel, with the known demo password and one membership."""
    User = get_user_model()
    logins = []
    for spec, organization, hotels in tenants:
        hotels_by_code = {hotel.code: hotel for hotel in hotels}
        for staff in spec.staff:
            hotel = hotels_by_code[staff.hotel_code]
            password = ROLE_PASSWORDS[staff.role]
            user, _created = User.objects.get_or_create(username=staff.username)
            user.first_name, user.last_name = staff.first_name, staff.last_name
            user.email = f"{staff.username}@example.com"
            user.is_active = True
            validate_password(password, user)
            user.set_password(password)
            user.save()
            Membership.objects.for_org(organization).filter(user=user).delete()
            Membership.objects.create(organization=organization, user=user, hotel=hotel, role=staff.role)
            where = f"every hotel of {organization.name}" if staff.role == Role.GROUP_ADMIN else hotel.name
            logins.append(Login(staff.username, password, str(Role(staff.role).label), where, organization.name))
    return logins


def demo_admin_ensure():
    """The `admin` superuser, created with the demo password; an existing one is left alone."""
    User = get_user_model()
    user = User.objects.filter(username=ADMIN_USERNAME).first()
    if user is not None:
        return Login(ADMIN_USERNAME, "(unchanged)", "Superuser", "Django admin: /admin/", "",
                     note="already existed; its password was not changed")
    user = User(username=ADMIN_USERNAME, email="admin@example.com", is_staff=True, is_superuser=True)
    validate_password(ADMIN_PASSWORD, user)
    user.set_password(ADMIN_PASSWORD)
    user.save()
    return Login(ADMIN_USERNAME, ADMIN_PASSWORD, "Superuser", "Django admin: /admin/", "")


def demo_tenant_data_delete(organizations):
    """Delete every row the demo organizations own, except what must stay.

    Kept: the organizations and hotels (audit events point at them, and the audit table
    refuses DELETE by design) and the audit events themselves. Everything else that carries
    their organization_id goes: guests, stays, memberships and any other tenant table.
    Raw DELETEs are fine in any order because Django's foreign keys are DEFERRABLE INITIALLY
    DEFERRED: they are checked at commit, when nothing points at the deleted rows any more.
    """
    organization_ids = [organization.pk for organization in organizations]
    if not organization_ids:
        return
    kept = {AuditEvent, Hotel}
    with default_connection.cursor() as cursor:
        for model in tenant_models():
            if model in kept or model._meta.proxy or not model._meta.managed:
                continue
            table = default_connection.ops.quote_name(model._meta.db_table)
            column = default_connection.ops.quote_name(model._meta.get_field("organization").column)
            for m2m in model._meta.local_many_to_many:
                through = m2m.remote_field.through
                if through._meta.auto_created:
                    cursor.execute(
                        f"DELETE FROM {default_connection.ops.quote_name(through._meta.db_table)} "
                        f"WHERE {default_connection.ops.quote_name(m2m.m2m_column_name())} IN "
                        f"(SELECT id FROM {table} WHERE {column} = ANY(%s))",
                        [organization_ids],
                    )
            cursor.execute(f"DELETE FROM {table} WHERE {column} = ANY(%s)", [organization_ids])


def demo_guests_load(connection, tenants, *, n_guests, seed, now, progress=None):
    """Load the demo guests and stays of `demo_tenants_ensure()`'s tenants; one LoadResult each."""
    return [
        load_guests_and_stays(
            connection, organization, hotels, count, demo_rng(seed, spec.slug),
            now=now, progress=progress, guest_mix=spec.guest_mix,
        )
        for (spec, organization, hotels), count in zip(tenants, demo_guest_counts(n_guests))
    ]


# Preferences the demo gives guests arriving soon: (catalog code, values to pick from).
_DEMO_PREFERENCES = (
    ("pillow", ("Feather", "Down-free", "Buckwheat", "Memory foam", "Extra firm")),
    ("tea-coffee", ("Tea", "Coffee", "Both")),
    ("drink", ("Pu'er tea", "Sparkling water", "Fresh orange juice", "Oat-milk flat white", "Single malt, no ice")),
    ("breakfast-time", ("06:30", "07:00", "07:30", "08:00", "09:30")),
    ("newspaper", ("China Daily", "South China Morning Post", "Financial Times", "People's Daily", "The Times")),
    ("room-set-up", ("Twin beds", "Extra desk lamp", "Blackout curtains closed", "Humidifier", "Yoga mat")),
    ("fruit", ("Hami melon", "Mango", "Lychee", "Seasonal berries")),
    ("smoker", ("Non-smoker", "Non-smoker", "Non-smoker", "Smoker")),
    ("golfer", ("yes", "no")),
    ("english-level", ("None", "Basic", "Fluent", "Native")),
)
# Guests arriving within this many days get preferences and special dates in the demo.
DEMO_PROFILE_DAYS = 7
DEMO_PROFILED_PER_HOTEL = 80


def demo_guest_extras(tenants, *, seed, now):
    """Give the demo catalog to each organization, and guests arriving in the coming week
    preferences and special dates (some lunar birthdays falling during their stay), so the
    briefing has something to show. Bulk inserts, a few queries per organization.
    """
    from lunardate import LunarDate

    for spec, organization, hotels in tenants:
        preference_catalog_seed(organization=organization)
        rng = demo_rng(seed, f"{spec.slug}:profiles")
        types = {t.code: t for t in PreferenceType.objects.for_org(organization).filter(code__in=[c for c, _v in _DEMO_PREFERENCES])}
        preferences, special_dates, seen = [], [], set()
        for hotel in hotels:
            today = now.astimezone(hotel.tz).date()
            arrivals = (
                Stay.objects.for_hotel(hotel)
                .filter(arrival_on__range=(today, today + datetime.timedelta(days=DEMO_PROFILE_DAYS)))
                .exclude(status__in=[StayStatus.CANCELLED, StayStatus.NO_SHOW])
                .order_by("arrival_on", "pk")
                .values_list("guest_id", "arrival_on", "departure_on")[:DEMO_PROFILED_PER_HOTEL]
            )
            for guest_id, arrival_on, departure_on in arrivals:
                if guest_id in seen:
                    continue
                seen.add(guest_id)
                for code, values in rng.sample(_DEMO_PREFERENCES, rng.randint(2, 5)):
                    if code in types:
                        preferences.append(GuestPreference(
                            organization=organization, guest_id=guest_id, preference_type=types[code], value=rng.choice(values),
                        ))
                # About one guest in four has a birthday during the stay, half of them on the lunar calendar.
                if rng.random() < 0.25:
                    day = arrival_on + datetime.timedelta(days=rng.randint(0, (departure_on - arrival_on).days))
                    if rng.random() < 0.5:
                        lunar = LunarDate.from_solar_date(day.year, day.month, day.day)
                        special_dates.append(SpecialDate(
                            organization=organization, guest_id=guest_id, kind="birthday", calendar="lunar",
                            month=lunar.month, day=lunar.day, is_leap_month=lunar.is_leap_month,
                        ))
                    else:
                        special_dates.append(SpecialDate(
                            organization=organization, guest_id=guest_id, kind="birthday", month=day.month, day=day.day,
                        ))
                elif rng.random() < 0.15:
                    day = arrival_on + datetime.timedelta(days=rng.randint(-60, 60))
                    special_dates.append(SpecialDate(
                        organization=organization, guest_id=guest_id, kind="anniversary", month=day.month, day=day.day,
                    ))
        GuestPreference.objects.bulk_create(preferences, batch_size=1000)
        SpecialDate.objects.bulk_create(special_dates, batch_size=1000)


# Each domain app may add `<app>/demo.py` with `demo_seed_extras(tenants, *, seed, now)`: it runs
# in the seed's transaction after the guests and stays are in. `tenants` is a list of
# (OrganizationSpec, Organization, [Hotel]).
DEMO_DOMAIN_APPS = ("complaints", "loyalty", "care", "integrations", "reports")


def demo_domain_extras(tenants, *, seed, now):
    import importlib
    import importlib.util

    for app in DEMO_DOMAIN_APPS:
        if importlib.util.find_spec(f"{app}.demo") is not None:
            importlib.import_module(f"{app}.demo").demo_seed_extras(tenants, seed=seed, now=now)


def demo_copy_chunks(connection, tenants, *, n_guests, seed, now, first_guest_id=1):
    """The exact COPY chunks `demo_guests_load` would write, with guest ids counted from
    `first_guest_id` (what the identity sequence hands out after TRUNCATE ... RESTART IDENTITY).
    """
    plan = copy_plan(connection)
    next_id = first_guest_id
    chunks = []

    def allocate(count):
        nonlocal next_id
        ids = list(range(next_id, next_id + count))
        next_id += count
        return ids

    for (spec, organization, hotels), count in zip(tenants, demo_guest_counts(n_guests)):
        records = guest_rows(organization, hotels, count, demo_rng(seed, spec.slug), now=now, guest_mix=spec.guest_mix)
        chunks.extend(copy_chunks(records, allocate_ids=allocate, plan=plan))
    return plan, chunks


def demo_seed(*, n_guests=DEFAULT_GUESTS, seed=DEFAULT_SEED, reset=False, progress=None, now=None):
    """Create the demo organizations, hotels, staff and guests in one transaction.

    Does nothing (`skipped=True`) when the demo organizations exist, unless `reset`, which
    first deletes their data as `demo_tenant_data_delete` describes. `progress` gets
    `update(n)` as guests are loaded.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Two seeds started at once would both find no demo yet; the second waits here.
        with default_connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('hotelcrm.seed_demo'))")
        present = demo_organizations_present()
        if present and not reset:
            return SeedResult(skipped=True, organizations=present)
        if present:
            demo_tenant_data_delete(present)
        tenants = demo_tenants_ensure()
        logins = demo_staff_ensure(tenants) + [demo_admin_ensure()]
        result = SeedResult(skipped=False, organizations=[organization for _spec, organization, _hotels in tenants], logins=logins)
        loads = demo_guests_load(default_connection, tenants, n_guests=n_guests, seed=seed, now=now, progress=progress)
        for (_spec, organization, _hotels), loaded in zip(tenants, loads):
            result.guests += loaded.guests
            result.stays += loaded.stays
            audit_record(
                action="demo.seeded",
                organization=organization,
                actor_label="seed_demo",
                extra={"guests": loaded.guests, "stays": loaded.stays, "seed": seed, "reset": bool(present)},
            )
        demo_guest_extras(tenants, seed=seed, now=now)
        demo_domain_extras(tenants, seed=seed, now=now)
        # Loaded with COPY, so no signal computed the duplicate pairs: the queue needs them now.
        from guests.duplicates import duplicate_pairs_rebuild

        for _spec, organization, _hotels in tenants:
            duplicate_pairs_rebuild(organization_id=organization.pk)
        with default_connection.cursor() as cursor:
            # Fresh statistics, so the first page views after a large seed get sensible plans.
            cursor.execute(f"ANALYZE {GuestProfile._meta.db_table}, {Stay._meta.db_table}")
    return result


def demo_logins():
    """The demo logins as seed_demo prints them, without touching the database."""
    logins = []
    for spec in DEMO_ORGANIZATIONS:
        hotel_names = {hotel.code: hotel.name for hotel in spec.hotels}
        for staff in spec.staff:
            where = f"every hotel of {spec.name}" if staff.role == Role.GROUP_ADMIN else hotel_names[staff.hotel_code]
            logins.append(Login(staff.username, ROLE_PASSWORDS[staff.role], str(Role(staff.role).label), where, spec.name))
    logins.append(Login(ADMIN_USERNAME, ADMIN_PASSWORD, "Superuser", "Django admin: /admin/", "",
                        note="unless it existed before the demo"))
    return logins
