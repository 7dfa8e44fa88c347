"""The 中文 / English switch in a real browser: the page comes back in the chosen language, forms still
work, and the 放弃报考 confirmation speaks the page's language."""
import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_candidate, make_catalogue, make_registration

pytestmark = pytest.mark.browser


def test_switch_to_english_and_back(live_server, page, session):
    cat = make_catalogue()
    cand = make_candidate()
    make_registration(cand, cat)
    session.commit()

    page.goto(f"{live_server}/login")
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(f"{live_server}/login")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("Username").fill(cand.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Exam registration")).to_be_visible()

    page.get_by_role("link", name="Exam registration").click()
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Abandon").click()
    assert messages and messages[0].startswith("Abandon the registration for ")
    expect(page.locator(".reg-status")).not_to_have_text("Abandoned")  # dismissed: nothing changed

    page.get_by_role("link", name="中文").click()
    expect(page).to_have_url(f"{live_server}/registration")
    expect(page.get_by_role("heading", name="考试报名")).to_be_visible()
