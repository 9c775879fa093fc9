"""Tidy, private chats on Telegram, end to end through the fake Bot API: a press edits the
message it belongs to, answered questions lose their buttons, every press is answered, and in
a group nothing personal is posted; deep links open the flow in private."""

from __future__ import annotations

from tests.bot_runner import Bot
from tests.fake_bot_api import FakeBotAPI
from tests.test_bot_e2e import USER, say

GROUP = -100777


async def press_and_wait(
    api: FakeBotAPI, data: str, chat: int = USER, message_id: int | None = None
) -> None:
    before = len(api.to(chat))
    await api.press(USER, data, message_id=message_id, chat_id=chat)
    await api.wait_for(chat, before + 1)


async def test_questionnaire_buttons_edit_one_message(api: FakeBotAPI, bot: Bot) -> None:
    await say(api, "/estimate", expect=2)
    question = api.to(USER)[-1]
    await press_and_wait(api, "ans:years:4")
    edited = api.to(USER)[-1]
    assert edited.method == "editMessageText" and edited.message_id == question.message_id
    assert edited.text.startswith("Got it: 4 years") and "education" in edited.text
    await press_and_wait(api, "ans:education:bachelor")
    await press_and_wait(api, "ans:certifications:CMAA")  # a tick edits the same message
    shown = api.shown[(USER, question.message_id)]
    assert "✔ CMAA" in [label for label, _ in shown.buttons]
    assert {s.method for s in api.to(USER)[2:]} == {"editMessageText"}
    await press_and_wait(api, "nav:done")
    assert len(api.callback_answers) == 4  # every press is answered
    await say(api, "boston")  # typed: the next question is a new message...
    live = api.live_keyboards(USER)
    assert [m.message_id for m in live] == [api.to(USER)[-1].message_id]  # ...the old one bare
    assert "employer" in live[0].text
    assert api.rejected == []


async def test_a_question_mid_way_leaves_one_live_question(api: FakeBotAPI, bot: Bot) -> None:
    await say(api, "/estimate", expect=2)
    await say(api, "how much more do they pay in san francisco?", expect=2)
    questions = [m for m in api.live_keyboards(USER) if "How many years" in m.text]
    assert len(questions) == 1 and questions[0].message_id == api.to(USER)[-1].message_id


async def test_the_topics_menu_is_short_and_edits_in_place(api: FakeBotAPI, bot: Bot) -> None:
    await say(api, "/topics")
    menu = api.to(USER)[-1]
    assert 3 <= len(menu.buttons) <= 6
    await press_and_wait(api, menu.buttons[0][1])
    sections = api.shown[(USER, menu.message_id)]
    await press_and_wait(api, sections.buttons[0][1])
    entries = api.shown[(USER, menu.message_id)]
    topic = next(value for _, value in entries.buttons if value.startswith("topic:"))
    await press_and_wait(api, topic)
    answer = api.shown[(USER, menu.message_id)]
    assert "Source: the article" in answer.text
    assert len([s for s in api.to(USER) if s.method == "sendMessage"]) == 1


async def test_personal_commands_in_a_group_post_nothing_personal(
    api: FakeBotAPI, bot: Bot
) -> None:
    await say(api, "I have 6 years, a bachelor's, what would I make in Boston?", expect=2)
    await say(api, "save")
    for command in ("profile", "estimate", "forget", "offer"):
        texts = await say(api, f"/{command}@ptcc_test_bot", chat_id=GROUP)
        sent = api.to(GROUP)[-1]
        assert sent.buttons == [
            ("🔒 Open a private chat", f"url:https://t.me/ptcc_test_bot?start={command}")
        ]
        assert "$" not in texts[0] and "Boston" not in texts[0] and "Bachelor" not in texts[0]
    # Nothing started in the group follows the user into the private chat.
    texts = await say(api, "what does a coordinator do?")
    assert len(texts) == 1 and "Cancelled" not in texts[0]
    profile = await say(api, "/profile")
    assert "Boston" in profile[0]  # /forget in the group deleted nothing


async def test_a_deep_link_starts_the_flow_in_private(api: FakeBotAPI, bot: Bot) -> None:
    texts = await say(api, "/start estimate", expect=2)
    assert "How many years" in texts[1]


async def test_commands_for_another_bot_are_ignored(api: FakeBotAPI, bot: Bot) -> None:
    await api.send_text(USER, "/start@someotherbot", chat_id=GROUP)
    await say(api, "/help@ptcc_test_bot", chat_id=GROUP)
    assert len(api.to(GROUP)) == 1 and "Commands" in api.to(GROUP)[0].text


async def test_a_group_answer_has_no_personal_buttons(api: FakeBotAPI, bot: Bot) -> None:
    await say(api, "@ptcc_test_bot what would I make in Boston with 5 years?", chat_id=GROUP)
    values = [value for _, value in api.to(GROUP)[-1].buttons]
    assert values and all(not v.startswith(("save:", "levers:", "go:")) for v in values)


async def test_a_what_if_is_saved_only_by_its_button(api: FakeBotAPI, bot: Bot) -> None:
    await say(api, "I have 6.5 years and a bachelor's, what would I make in Boston?", expect=2)
    await say(api, "I have 10 years and an associate's in SF what would I make", expect=2)
    profile = await say(api, "/profile")
    assert "don't have a saved profile" in profile[0]
    estimate = next(
        m for m in reversed(api.to(USER)) if m.method == "sendMessage" and "Assumed" in m.text
    )
    save = next(value for _, value in estimate.buttons if value.startswith("save:"))
    await press_and_wait(api, save, message_id=estimate.message_id)
    assert api.to(USER)[-1].text.startswith("Saved to your profile.")
    profile = await say(api, "/profile")
    assert "Associate" in profile[0] and "San Francisco" in profile[0]
    await say(api, "entry level pay in nyc", expect=2)  # a question: the profile stays
    profile = await say(api, "/profile")
    assert "10 years" in profile[0] and "San Francisco" in profile[0]


async def test_a_question_naming_a_choice_is_answered_in_the_bot(api: FakeBotAPI, bot: Bot) -> None:
    await say(api, "/estimate", expect=2)
    for answer in ("5 years", "bachelor's", "none"):
        await say(api, answer)
    texts = await say(api, "how much more do they pay in san francisco?", expect=2)
    assert "25%" in texts[0] and "Where do you work" in texts[1]
    texts = await say(api, "/profile", expect=2)
    assert "answers so far" in texts[0] and "Where do you work" in texts[1]
