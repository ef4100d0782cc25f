"""The language checker itself: what it reads of a page and what it reports."""

from tests.i18n.chrome import chrome_text, language_problems


def test_reads_text_and_the_attributes_people_read_but_not_scripts_or_form_values():
    html = (
        "<html><head><title>工单</title><style>.a{color:red}</style></head><body>"
        '<script>var label = "descending";</script><p title="提示">你好</p>'
        '<input type="submit" value="保存"><input type="text" value="typed by a user">'
        '<textarea>user text</textarea><img src="/static/admin/img/icon-yes.svg" alt="True">'
        '<img src="/static/logo.png" alt="标志"></body></html>'
    )
    text = chrome_text(html)
    for seen in ("工单", "提示", "你好", "保存", "标志"):
        assert seen in text
    for unseen in ("descending", "color", "typed by a user", "user text", "True"):
        assert unseen not in text


def test_chinese_on_an_english_page_is_reported():
    assert language_problems("Tickets\n客户已回复。", "en") == ["Chinese text '客户已回复。'"]


def test_english_words_on_a_chinese_page_are_reported_with_their_line():
    problems = language_problems("工单\n最近截止时间 (descending)", "zh-hans")
    assert problems == ["English 'descending' in '最近截止时间 (descending)'"]


def test_user_data_and_the_allowlist_are_not_reported():
    text = (
        "主题：Broker refuses connections\n联系 alice@acme.test 或 https://support.example.com/x\n"
        "10:00 Asia/Shanghai · P1 · SLA · EMQX Enterprise 5.9\nEnglish"
    )
    assert language_problems(text, "zh-hans", {"Broker refuses connections", "Enterprise"}) == []


def test_one_with_a_plural_is_reported_on_english_pages():
    assert language_problems("target 1 hours", "en") == ["plural '1 hours'"]
    assert language_problems("target 1 hour, 11 hours, 2.1 days", "en") == []


def test_a_leaked_placeholder_is_reported():
    assert language_problems("Ticket %(number)s", "en") == ["placeholder '%(number)s'"]


def test_codes_people_type_are_not_words():
    text = '占位符：{customer_name}、{ticket}\n参数 {"actor": "Bob"}\n服务时间 mon-fri 09:00-18:00'
    assert language_problems(text, "zh-hans") == []
