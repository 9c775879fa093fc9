"""The Telegram channel of PTCC Advisor: a thin layer over ptcc_core's advisor and store."""
