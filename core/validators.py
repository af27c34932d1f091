"""Validators shared by the profile and the application: one definition of each format."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

latin_name_validator = RegexValidator(
    # Latin script as printed in the passport, Azerbaijani and Turkish letters included.
    regex=r"^[A-Za-zƏəĞğIıİiÖöÜüÇçŞş][A-Za-zƏəĞğIıİiÖöÜüÇçŞş' \-]*$",
    message=_("Use Latin letters exactly as in your passport (Azerbaijani letters are allowed)."),
)
fin_validator = RegexValidator(
    regex=r"^[0-9A-HJ-NP-Z]{7}$",
    message=_("The FIN has 7 characters: capital Latin letters and digits, as on your ID card."),
)
passport_number_validator = RegexValidator(
    regex=r"^[A-Z0-9]{6,12}$",
    message=_("Enter the passport number as printed, capital letters and digits only."),
)
