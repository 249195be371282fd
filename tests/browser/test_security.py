"""In the browser: the Content-Security-Policy is enforced, the controls that used inline
handlers still work, and logging out of the other sessions ends them."""

import re

from playwright.sync_api import Page, expect

from tests.browser.helpers import STREAM, log_in, stream_requests

BLOCKED = r"(unsafe-eval|inline script|Content Security Policy)"


def test_the_policy_blocks_eval_and_inline_scripts(user_page: Page, browser_errors):
    browser_errors.allow(BLOCKED)  # the refusals below are the browser's console errors
    user_page.evaluate(
        """() => {
            window.setTimeout("window.evaluated = true", 0);
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.append(script);
            window.setTimeout(() => { document.body.dataset.checked = "yes"; }, 50);
        }"""
    )
    # A condition in the page (wait_for_function) would itself need eval, which is blocked.
    expect(user_page.locator("body")).to_have_attribute("data-checked", "yes")
    assert user_page.evaluate("[window.evaluated, window.injected]") == [None, None]
    assert len(browser_errors.seen) == 2


def test_a_message_can_be_dismissed(user_page: Page):
    user_page.get_by_role("button", name="Log out").click()
    message = user_page.get_by_role("status").filter(has_text="You are logged out.")
    expect(message).to_be_visible()
    message.get_by_role("button", name="Dismiss").click()
    expect(message).to_have_count(0)


def test_logging_out_of_the_other_sessions_ends_them(context, open_context, seeded_user):
    here, elsewhere = context.new_page(), open_context().new_page()
    log_in(here)
    with elsewhere.expect_response(STREAM):  # its dashboard's stream is open
        log_in(elsewhere)
    streams_asked = stream_requests(elsewhere)

    here.get_by_role("link", name=seeded_user.email).click()
    expect(here.locator("#session-count")).to_contain_text("2 active sessions")
    here.get_by_role("button", name="Log out of all other sessions").click()

    expect(here.get_by_text("Logged out of 1 other session.")).to_be_visible()
    expect(here.locator("#session-count")).to_contain_text("1 active session,")
    # The page open elsewhere hears at once that its login ended, and goes to log in.
    expect(elsewhere).to_have_url(re.compile(r"/login\?next=%2F$"))
    expect(elsewhere.get_by_text("Please log in to continue.")).to_be_visible()
    assert streams_asked == []  # its stream was closed for good, not asked for again
    here.goto("/")
    expect(here).to_have_title("Your orders · Click to Mice")
