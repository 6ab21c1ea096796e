"""Telephony provider implementations of :class:`omnivox.telephony.ports.TelephonyProvider`."""
