"""PTCC Advisor's domain core: knowledge, matcher, estimator, advisor and store.

Nothing here knows about Telegram; channels (the bot, the terminal chat) sit on top.
"""

__version__ = "0.1.0"
