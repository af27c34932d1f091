"""The made-up but plausible values seeded rows are drawn from.

Names are Azerbaijani, with their letters (``Məmmədova``, ``İsmayılov``); faculties, districts
and streets are Turkish, where the students study. Universities and provinces are not here:
they are the reference data the migrations loaded.
"""

from __future__ import annotations

import random

from rules.models import Level

# Seeded students' addresses end with this: the bench and the load test find them by it.
EMAIL_DOMAIN = "bulk.example.com"

MALE_NAMES = (
    "Əli", "Rəşad", "Elvin", "Tural", "Orxan", "Kamran", "Elçin", "Vüqar", "Fərid", "Ramil",
    "Nicat", "Ülvi", "Murad", "Səbuhi", "Cavid", "Emin", "Rauf", "Şahin", "Oqtay", "Əkbər",
    "İlkin", "Hüseyn", "Anar", "Tofiq", "Zaur", "Rüfət", "Fuad", "Şəhriyar", "Ağamirzə", "Nurlan",
)  # fmt: skip
FEMALE_NAMES = (
    "Aysel", "Nigar", "Leyla", "Günel", "Səbinə", "Aynur", "Ülviyyə", "Lalə", "Nərmin", "Şəbnəm",
    "Könül", "Sevinc", "Gülnar", "Aytən", "Fidan", "Xədicə", "Zəhra", "Nurlana", "İlahə", "Aygün",
    "Türkan", "Ləman", "Röya", "Gülşən", "Əsmər", "Pərvin", "Vüsalə", "Səidə", "Şəlalə", "Ülkər",
)  # fmt: skip
# Surnames in -ov/-ev take an "a" for women; the others are the same for both.
SURNAMES = (
    "Məmmədov", "Əliyev", "Hüseynov", "Quliyev", "İsmayılov", "Həsənov", "Cavadov", "Rzayev",
    "Nəsirov", "Babayev", "Şükürov", "Qasımov", "Abbasov", "Səfərov", "Ağayev", "Hacıyev",
    "Kərimov", "Bağırov", "İbrahimov", "Musayev", "Əhmədov", "Süleymanov", "Rəhimov", "Orucov",
    "Zeynalov", "Vəliyev", "Nağıyev", "Salmanov", "Qurbanov", "Xəlilov", "Mirzəyev", "Əsədov",
    "Cəfərov", "Novruzov", "Şirinov", "Yusifov", "Əzizov", "Hümbətov", "Tağıyev", "Sadıqov",
    "Əlizadə", "Hüseynzadə", "Məmmədli", "Qasımlı", "Rüstəmli", "Şıxəliyev", "Çələbiyev",
    "Ötgün", "Ünsalov", "Gülməmmədov",
)  # fmt: skip
BIRTH_PLACES = (
    "Bakı", "Gəncə", "Sumqayıt", "Mingəçevir", "Naxçıvan", "Şəki", "Lənkəran", "Şirvan", "Quba",
    "Qəbələ", "Şamaxı", "Zaqatala", "Ağdam", "Bərdə", "Göyçay", "Şəmkir", "Xaçmaz", "İsmayıllı",
)  # fmt: skip
FACULTIES = {
    "general": (
        ("Mühendislik Fakültesi", "Bilgisayar Mühendisliği"),
        ("Mühendislik Fakültesi", "Elektrik-Elektronik Mühendisliği"),
        ("Mühendislik Fakültesi", "İnşaat Mühendisliği"),
        ("İktisadi ve İdari Bilimler Fakültesi", "İşletme"),
        ("İktisadi ve İdari Bilimler Fakültesi", "Uluslararası İlişkiler"),
        ("İktisadi ve İdari Bilimler Fakültesi", "İktisat"),
        ("Hukuk Fakültesi", "Hukuk"),
        ("Fen-Edebiyat Fakültesi", "Psikoloji"),
        ("Fen-Edebiyat Fakültesi", "Türk Dili ve Edebiyatı"),
        ("Eğitim Fakültesi", "Sınıf Öğretmenliği"),
        ("Mimarlık Fakültesi", "Mimarlık"),
        ("İletişim Fakültesi", "Gazetecilik"),
    ),
    "medicine": (("Tıp Fakültesi", "Tıp"),),
    "dentistry": (("Diş Hekimliği Fakültesi", "Diş Hekimliği"),),
    "pharmacy": (("Eczacılık Fakültesi", "Eczacılık"),),
    "veterinary": (("Veteriner Fakültesi", "Veteriner Hekimliği"),),
}
GRADUATE_SCHOOLS = (
    "Fen Bilimleri Enstitüsü",
    "Sosyal Bilimler Enstitüsü",
    "Sağlık Bilimleri Enstitüsü",
)
DISTRICTS = {
    6: ("Çankaya", "Keçiören", "Yenimahalle", "Etimesgut"),
    34: ("Kadıköy", "Beşiktaş", "Fatih", "Üsküdar", "Şişli"),
    35: ("Bornova", "Karşıyaka", "Buca", "Konak"),
}
NEIGHBOURHOODS = ("Atatürk", "Cumhuriyet", "Yeni", "İstiklal", "Fatih", "Gazi", "Bahçelievler")
STREETS = ("Gül", "Lale", "Menekşe", "Çınar", "Papatya", "Karanfil", "Şehit Ömer", "Öğretmenler")
LEVEL_MIX = (
    (Level.BACHELOR, 0.6),
    (Level.MASTER, 0.25),
    (Level.DOCTORAL, 0.08),
    (Level.ASSOCIATE, 0.07),
)
FIELD_MIX = (
    ("general", 0.85),
    ("medicine", 0.07),
    ("dentistry", 0.03),
    ("pharmacy", 0.03),
    ("veterinary", 0.02),
)
LANGUAGE_MIX = (("az", 0.8), ("tr", 0.1), ("en", 0.1))
WITHDRAW_NOTES = (
    "I am moving to another university.",
    "I will apply again with my new passport.",
    "My programme starts next year.",
)
REJECT_REASONS = (
    ("conditions_not_met", "The conditions for the whole-programme permit are not met."),
    ("studies_cannot_continue", "The university reports that the registration was cancelled."),
)
INFO_MESSAGES = (
    "The photo is not a biometric photo. Please upload a new one taken within the last 6 months.",
    "The student certificate is older than 3 months. Please upload a current one.",
    "The health insurance does not cover the whole permit period.",
)
VERIFICATION_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
FIN_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
# Passport numbers: "C" and 8 digits, a bijection of the student's number (all distinct).
PASSPORT_PRIME = 99_999_989
PASSPORT_STEP = 48_271


def pick(rng: random.Random, mix) -> str:
    """A value of one of the mixes above (``(value, share)`` pairs), drawn by its share."""
    roll, acc = rng.random(), 0.0
    for value, share in mix:
        acc += share
        if roll < acc:
            return value
    return mix[-1][0]
