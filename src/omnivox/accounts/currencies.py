"""ISO 4217 currencies an organisation can sell in, with their minor-unit digits (how many
decimals an amount may carry: 2 for USD, 0 for JPY, 3 for KWD). Current codes only; the
fund, precious-metal and testing codes (XAU, XDR, XTS, XXX...) are not money a sale is
paid in."""

from __future__ import annotations

from collections.abc import Mapping

_ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE = "BHD IQD JOD KWD LYD OMR TND"
_FOUR = "CLF UYW"
_TWO = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN "
    "BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB "
    "EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS "
    "KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN "
    "MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD "
    "SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS "
    "UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG"
)

#: Minor-unit digits per currency code.
MINOR_DIGITS: Mapping[str, int] = {
    code: digits
    for codes, digits in ((_ZERO, 0), (_TWO, 2), (_THREE, 3), (_FOUR, 4))
    for code in codes.split()
}


def check_currency(value: str) -> str:
    """An ISO 4217 code, upper-cased; ValueError naming the problem otherwise."""
    code = value.strip().upper()
    if code not in MINOR_DIGITS:
        raise ValueError(f"{value!r} is not an ISO 4217 currency code (such as USD, EUR, JPY)")
    return code
