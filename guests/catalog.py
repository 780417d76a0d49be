"""The preference catalog every organization starts with (MISSION.md, "Guest archive").

The catalog is data: `CATALOG` lists each preference type a luxury property keeps (code,
category, English and Chinese names, value type, choices, sensitivity). A new organization
gets it from the post_save signal in guests/signals.py; organizations that existed before the
catalog got it from migration 0003. Seeding is idempotent: the catalog is unique per
(organization, code), so running it again adds only what is missing and changes nothing an
organization has edited.

Categories and choices are stored as written here (English); `category_label` and
`choice_label` give their translated labels for display.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import get_language, override, pgettext_lazy
from django.utils.translation import gettext_lazy as _

CHOICE = "choice"
TEXT = "text"
YES_NO = "yes_no"


@dataclass(frozen=True)
class CatalogEntry:
    code: str
    category: str
    name: str
    name_zh: str
    value_type: str = TEXT
    choices: tuple = field(default_factory=tuple)
    is_sensitive: bool = False


# Category codes in display order, with their labels.
CATEGORIES = {
    "occasions": _("Occasions"),
    "food_drink": _("Food and drink"),
    "room": pgettext_lazy("preference category", "Room"),
    "housekeeping": _("Housekeeping and laundry"),
    "leisure": _("Leisure"),
    "work": _("Work and equipment"),
    "communication": _("Language and communication"),
    "history": _("History with us"),
    "likes": _("Likes and requests"),
    "health": _("Health"),
}
CATEGORY_ORDER = {code: index for index, code in enumerate(CATEGORIES)}

# Labels of the stored choice values (values stay English so they compare the same in any language).
CHOICE_LABELS = {
    "Feather": _("Feather"),
    "Down-free": _("Down-free"),
    "Buckwheat": _("Buckwheat"),
    "Memory foam": _("Memory foam"),
    "Extra firm": _("Extra firm"),
    "Smoker": _("Smoker"),
    "Non-smoker": _("Non-smoker"),
    "None": _("None"),
    "Basic": _("Basic"),
    "Fluent": _("Fluent"),
    "Native": _("Native"),
    "Tea": _("Tea"),
    "Coffee": _("Coffee"),
    "Both": _("Both"),
    "Windows laptop": _("Windows laptop"),
    "Mac laptop": _("Mac laptop"),
    "Tablet": _("Tablet"),
    "Other": _("Other"),
    "yes": _("Yes"),
    "no": _("No"),
}

# Order matters: sort_order follows it, and staff see the catalog in this order.
CATALOG = (
    CatalogEntry("birthday", "occasions", "Birthday", "生日"),
    CatalogEntry("wedding-anniversary", "occasions", "Wedding anniversary", "结婚纪念日"),
    CatalogEntry("special-occasions", "occasions", "Special occasions", "特殊纪念日"),
    CatalogEntry("repeat-guest", "history", "Repeat guest", "回头客", YES_NO),
    CatalogEntry("favourite-games", "leisure", "Favourite games", "喜爱的游戏"),
    CatalogEntry("drink", "food_drink", "Drink preference", "饮品偏好"),
    CatalogEntry("food", "food_drink", "Food preference", "食物偏好"),
    CatalogEntry("tea-coffee", "food_drink", "Tea or coffee", "茶或咖啡", CHOICE, ("Tea", "Coffee", "Both", "None")),
    CatalogEntry("tea-coffee-details", "food_drink", "Tea and coffee preferences", "茶与咖啡偏好"),
    CatalogEntry("breakfast-time", "food_drink", "Breakfast time", "早餐时间"),
    CatalogEntry("standing-breakfast-order", "food_drink", "Standing breakfast order", "固定早餐点单"),
    CatalogEntry(
        "pillow",
        "room",
        "Pillow type",
        "枕头类型",
        CHOICE,
        ("Feather", "Down-free", "Buckwheat", "Memory foam", "Extra firm"),
    ),
    CatalogEntry("wardrobe-care", "housekeeping", "Wardrobe care", "衣物整理"),
    CatalogEntry("unpacking", "housekeeping", "Unpacking requests", "代客开箱要求"),
    CatalogEntry("packing", "housekeeping", "Packing requests", "代客打包要求"),
    CatalogEntry("wine", "food_drink", "Wine preference", "葡萄酒偏好"),
    CatalogEntry("music", "leisure", "Music preference", "音乐偏好"),
    CatalogEntry("golfer", "leisure", "Golfer", "打高尔夫球", YES_NO),
    CatalogEntry("flowers", "room", "Flowers", "鲜花"),
    CatalogEntry("fruit", "room", "Fruit", "水果"),
    CatalogEntry("newspaper", "room", "Newspaper", "报纸"),
    CatalogEntry("home-city", "communication", "Home city", "常住城市"),
    CatalogEntry("magazines", "room", "Magazines", "杂志"),
    # Complaint history is service information, not health data: visible in the briefing.
    CatalogEntry("previous-complaints", "history", "Previous complaints", "以往投诉"),
    CatalogEntry("complaint-this-visit", "history", "Complaint this visit", "本次入住投诉"),
    # Health items: sensitive personal information (PIPL art. 28), encrypted and audited.
    CatalogEntry("physical-disability", "health", "Physical disability", "身体残障", is_sensitive=True),
    CatalogEntry("allergies", "health", "Allergies", "过敏", is_sensitive=True),
    CatalogEntry("dietary-requirements", "health", "Dietary requirements", "饮食要求", is_sensitive=True),
    CatalogEntry("likes", "likes", "Likes", "喜好"),
    CatalogEntry("dislikes", "likes", "Dislikes", "忌讳"),
    CatalogEntry("laundry-needs", "housekeeping", "Laundry needs", "洗衣需求"),
    CatalogEntry("preferred-restaurants", "food_drink", "Preferred restaurants", "喜爱的餐厅"),
    CatalogEntry("preferred-table", "food_drink", "Preferred table", "喜爱的餐桌"),
    CatalogEntry("in-suite-dining", "food_drink", "In-suite dining", "客房用餐"),
    CatalogEntry("spa-user", "leisure", "Spa user", "使用水疗", YES_NO),
    CatalogEntry("room-set-up", "room", "Preferred room set-up", "房间布置偏好"),
    CatalogEntry("specific-requests", "likes", "Specific requests", "特殊要求"),
    CatalogEntry("equipment-brought", "work", "Equipment brought", "自带设备"),
    CatalogEntry(
        "computer-type",
        "work",
        "Computer type",
        "电脑类型",
        CHOICE,
        ("Windows laptop", "Mac laptop", "Tablet", "Other"),
    ),
    CatalogEntry("smoker", "room", "Smoker / non-smoker", "吸烟 / 不吸烟", CHOICE, ("Smoker", "Non-smoker")),
    CatalogEntry("cigarette-cigar-type", "leisure", "Cigarette and cigar type", "香烟与雪茄类型"),
    CatalogEntry("toiletries", "room", "Toiletries", "洗漱用品"),
    CatalogEntry("movies", "leisure", "Movies", "电影"),
    CatalogEntry(
        "english-level", "communication", "Level of English", "英语水平", CHOICE, ("None", "Basic", "Fluent", "Native")
    ),
    CatalogEntry("languages-spoken", "communication", "Languages spoken", "使用语言"),
)
SENSITIVE_CODES = frozenset(entry.code for entry in CATALOG if entry.is_sensitive)


def catalog_rows(organization_id, model):
    """Unsaved `model` rows (PreferenceType, or its historical version in a migration) for the catalog."""
    return [
        model(
            organization_id=organization_id,
            code=entry.code,
            category=entry.category,
            name=entry.name,
            name_zh=entry.name_zh,
            value_type=entry.value_type,
            choices=list(entry.choices),
            is_sensitive=entry.is_sensitive,
            is_active=True,
            sort_order=(index + 1) * 10,
        )
        for index, entry in enumerate(CATALOG)
    ]


@transaction.atomic
def preference_catalog_seed(*, organization):
    """Create the catalog entries `organization` lacks; return how many were created.

    One INSERT ... ON CONFLICT DO NOTHING against the (organization, code) constraint, so two
    seeds at once, or a seed over a partly edited catalog, neither fail nor duplicate, and an
    entry an organization renamed or deactivated is left as it is. Not audited: it is the
    organization's starting configuration, written with the organization itself, not a
    change someone made.
    """
    from guests.models import PreferenceType

    organization_id = getattr(organization, "pk", organization)
    before = PreferenceType.objects.for_org(organization_id).count()
    PreferenceType.objects.bulk_create(catalog_rows(organization_id, PreferenceType), ignore_conflicts=True)
    return PreferenceType.objects.for_org(organization_id).count() - before


def category_label(category):
    """The translated label of a catalog category; an organization's own category shows as written."""
    return CATEGORIES.get(category, category)


def choice_label(value):
    return CHOICE_LABELS.get(value, value)


# What staff may type for a yes/no preference, in either language.
YES_WORDS = {"yes", "y", "true", "是", "是的", "对", "有"}
NO_WORDS = {"no", "n", "false", "否", "不", "不是", "没有", "无"}


def choice_from_input(text, choices):
    """The stored (English) choice that `text` names, in English or Chinese, any case; None if none does."""
    wanted = text.strip().casefold()
    for choice in choices:
        labels = {choice.casefold(), str(choice_label(choice)).casefold()}
        for language in ("en", "zh-hans"):
            with override(language):
                labels.add(str(choice_label(choice)).casefold())
        if wanted in labels:
            return choice
    return None


def yes_no_from_input(text):
    """'yes' or 'no' for what staff typed (yes/no, 是/否, …); None when it is neither."""
    wanted = text.strip().casefold()
    if wanted in YES_WORDS:
        return "yes"
    if wanted in NO_WORDS:
        return "no"
    return None


def preference_type_label(preference_type):
    """The name in the reader's language: the Chinese name for zh-* readers when there is one."""
    if (get_language() or "").lower().startswith("zh") and preference_type.name_zh:
        return preference_type.name_zh
    return preference_type.name
