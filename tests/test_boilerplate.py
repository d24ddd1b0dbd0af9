"""Boilerplate: site chrome leaves the body, articles do not (inline fixtures and seeds/)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import apache_beam as beam
import numpy as np
import pytest
from apache_beam.testing.util import assert_that, equal_to

from pipelines.core import boilerplate as bp
from pipelines.core import near_dup as nd
from pipelines.core import text as textlib
from pipelines.core.boilerplate import features, model
from pipelines.core.boilerplate.lines import body_lines
from pipelines.core.boilerplate.placeholder import is_filler
from pipelines.core.boilerplate.repetition import copied_partner, is_copy
from pipelines.core.headers import parse_article
from pipelines.core.index import IndexEntry
from pipelines.transforms.boilerplate import RemoveBoilerplate
from pipelines.transforms.dedup import DropDuplicates
from tests.conftest import seed
from tests.test_stages import _article

MENU = ["Home", "World", "Business", "Sport", "Science", "Contact us"]
FOOTER = [
    "Share this article",
    "Facebook | Twitter | Email",
    "© 2025 Example News. All rights reserved.",
]


def _body(prefix: str) -> str:
    return parse_article(seed(prefix).read_text(encoding="utf-8")).body


def _page(prefix: str) -> str:
    return "\n".join(MENU) + "\n\n" + _body(prefix) + "\n\n" + "\n".join(FOOTER)


def _batch(bodies: list[str]) -> bp.Repeats:
    counts = bp.LineCounts()
    for body in bodies:
        counts.add(bp.line_sketch(body))
    return counts.repeats()


def test_chrome_shared_by_distinct_articles_of_a_site_is_removed() -> None:
    # Seed 003 carries a related-story headline between two of its paragraphs ("Iraqi Troops
    # Injured in 2nd Rocket Attack on US Base"): inside the article's prose, it stays.
    pages = [_page(p) for p in ("001", "002", "003", "004")]
    repeats = _batch(pages)
    for prefix, page in zip(("001", "002", "003", "004"), pages, strict=True):
        split = bp.split_boilerplate(page, "en", repeats)
        assert split == bp.Split(_body(prefix), (*MENU, *FOOTER))


def test_a_syndicated_story_is_not_chrome() -> None:
    # The same story in six files repeats every line six times: a copy, not boilerplate.
    story = _body("003")
    repeats = _batch([story] * 6 + [_body("004")])
    assert bp.split_boilerplate(story, "en", repeats) == bp.Split(story, ())


# A Chinese story with a space between sentences, as scraped Chinese text often has.
_BRIDGE = [
    "城东跨江大桥下月通车",
    "市政府周二宣布，城东新建的跨江大桥将于下月正式通车。 工程历时三年，总投资约四十亿元。",
    "负责项目的工程师介绍，大桥全长两千三百米，设有六条机动车道和两条自行车道。 "
    "通车后，两岸之间的行车时间将从四十分钟缩短到十分钟以内。",
    "不少市民对此表示欢迎。 住在江北的退休教师王女士说，以后去医院看病方便多了。",
    "交通部门提醒，通车初期可能出现拥堵，建议市民错峰出行。 相关公交线路也将同步调整。",
]
_NEW_PARAGRAPHS = [
    "大桥的设计方案曾在网上公开征求意见，共收到两千多条建议。 其中一部分已被采纳。",
    "桥面照明采用节能灯具，每年可节约用电约三十万千瓦时。 夜间景观灯将在节假日开启。",
]


def test_a_story_and_its_edited_copies_are_not_chrome() -> None:
    # The original carries a caption between its paragraphs; each copy adds a credit line and
    # replaces or reorders a paragraph, so no three shared paragraphs are neighbours anywhere.
    # They share most of their paragraphs: copies of one story, whose lines are no chrome.
    title, p1, p2, p3, p4 = _BRIDGE
    original = "\n\n".join([title, p1, p2, "图为大桥夜景。", p3, p4])
    copy1 = "\n\n".join([title, "（法新社）", p1, p2, _NEW_PARAGRAPHS[0], p4])
    copy2 = "\n\n".join([title, p1, "图片：新华社", p3, _NEW_PARAGRAPHS[1], p2])
    family = [original, copy1, copy2]
    assert bp.long_lines([p1, p2, p3, p4, title]).tolist() == [True, True, True, True, False]
    repeats = _batch([*family, _body("004")])
    assert repeats.distinct.tolist() == [0] * len(repeats)
    for body in family:
        assert bp.split_boilerplate(body, "zh", repeats) == bp.Split(body, ())


def test_seeds_and_a_short_article_lose_nothing() -> None:
    bodies = [_body(p) for p in ("000", "001", "002", "003", "004")]
    short = "Flooding closed the A38 on Tuesday.\n\nThe road reopened at noon, police said."
    repeats = _batch([*bodies, short])
    for body in [*bodies, short]:
        assert bp.split_boilerplate(body, "en", repeats).removed == ()


def test_leaked_markup_lines_are_chrome() -> None:
    # A scraper kept a page's search template: the article is published, its markup is not.
    markup = ["<div>", '<div class="acHeadline hidden" >', "</div>", "<li role", "</ul>"]
    body = _body("002")
    page = "\n".join(markup) + "\n\n" + body
    assert bp.sketch_and_check(page)[1] is True
    assert bp.split_boilerplate(page, "en", _batch([page])) == bp.Split(body, tuple(markup))


def test_a_page_keeps_its_own_prose_when_the_model_takes_it_all() -> None:
    # The model (here: a scorer that calls every line chrome) never leaves a page without the
    # prose it has of its own; the shared menu and footer, short lines and markup still go.
    own = (
        "As promised in our last update, the ebook edition is ready, and thanks to a new "
        "partner you can now read every issue on the following devices:"
    )
    more = "The older issues will follow in the course of the next month or so."
    devices = ["• Kindle", "• Nook", "• iPad"]
    page = "\n".join([*MENU, "<div>", own, *devices, more, *FOOTER])
    repeats = _batch([page, *(_page(p) for p in ("001", "002", "003"))])
    everything = lambda x: np.zeros(len(x))  # noqa: E731
    split = bp.split_boilerplate(page, "en", repeats, scorer=everything)
    assert split == bp.Split(f"{own}\n{more}", (*MENU, "<div>", *devices, *FOOTER))
    # When the model keeps some of the page's prose, its cut stands: the shorter line goes.
    long_only = lambda x: (x[:, 0] >= np.log1p(20)).astype(float)  # noqa: E731
    split = bp.split_boilerplate(page, "en", repeats, scorer=long_only)
    assert split == bp.Split(own, (*MENU, "<div>", *devices, more, *FOOTER))
    # Shared lines are not the page's own: a page of a shared block and a caption keeps nothing.
    bare = "\n".join([*MENU, "Photo: Reuters", *FOOTER])
    assert bp.split_boilerplate(bare, "en", repeats, scorer=everything) == bp.Split(
        "", (*MENU, "Photo: Reuters", *FOOTER)
    )


LOREM = (
    "Lorem ipsum dolor sit amet, consectetur adipisicing elit, sed do eiusmod tempor\n"
    "incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud\n\n"
    "Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat."
)


def test_lorem_ipsum_lines_are_filler_a_line_about_it_is_not() -> None:
    assert is_filler("Lorem ipsum dolor sit amet, consectetur adipisicing elit, sed do eiusmod.")
    assert is_filler("Lorem")
    assert not is_filler("In")
    assert not is_filler("Designers still paste lorem ipsum into every mock-up they send us.")
    assert bp.strip_filler("Intro line of the test page.\n" + LOREM) == (
        "Intro line of the test page.\n"
    )


def test_pages_of_filler_are_not_copies_of_each_other(pipeline, run_ctx) -> None:
    # Template test pages share their Lorem ipsum text: distinct pages all the same, while a
    # byte copy of one (same article_id) is still its duplicate. Bodies keep the filler.
    first = _article(run_ctx, LOREM, "l1", title="Test script parsing", language="en")
    second = _article(run_ctx, LOREM, "l2", title="RTL test", language="en")
    copy = dataclasses.replace(first, source_uri="/in/z-copy.txt")
    with pipeline as p:
        out = p | beam.Create([first, second, copy]) | DropDuplicates()
        assert_that(
            out.articles,
            equal_to([dataclasses.replace(first, duplicate_count=1), second]),
            label="kept",
        )
        assert_that(
            out.duplicates | beam.Map(lambda d: (d.source_uri, d.kept_source_uri, d.method)),
            equal_to([("/in/z-copy.txt", "/in/l1.txt", "exact")]),
            label="dups",
        )


def test_config_is_validated() -> None:
    with pytest.raises(ValueError, match="threshold"):
        bp.BoilerplateConfig(threshold=1.5)
    with pytest.raises(ValueError, match="min_lines"):
        bp.BoilerplateConfig(min_lines=0)


def test_remove_boilerplate_stage_moves_chrome_to_its_column(pipeline, run_ctx) -> None:
    pages = {p: _page(p) for p in ("001", "002", "003", "004")}
    articles = [_article(run_ctx, page, f"a{p}", language="en") for p, page in pages.items()]

    def cleaned(prefix: str, article):
        body, removed = _body(prefix), (*MENU, *FOOTER)
        return dataclasses.replace(
            article,
            body=body,
            boilerplate=removed,
            word_count=textlib.word_count(body),
            content_hash=textlib.content_hash(body),
        )

    expected = [cleaned(p, a) for p, a in zip(pages, articles, strict=True)]
    with pipeline as p:
        out = p | beam.Create(articles) | RemoveBoilerplate()
        assert_that(out.checked, equal_to(expected), label="checked")
        assert_that(out.untouched, equal_to([]), label="untouched")


# A sign-up blurb written as prose: the line model alone keeps it; four distinct articles of the
# site carrying it make it chrome.
BLURB = [
    "Our newsletter brings you the best stories of the week, chosen by our editors and "
    "delivered to your inbox every Friday morning.",
    "Sign up today and join more than two hundred thousand readers who start their weekend "
    "with us.",
]


def _site_page(prefix: str) -> str:
    return "\n".join([*MENU, "", _body(prefix), "", *BLURB, *FOOTER])


def _published(prefix: str, run_id: str) -> IndexEntry:
    """An index entry of `_site_page(prefix)` published, uncleaned, by an earlier run."""
    lines = bp.published_sketch(_site_page(prefix), ())
    sig = nd.signature(_body(prefix), "en")
    return IndexEntry(
        f"e{prefix}", f"/old/{prefix}.txt", None, dt.date(2020, 3, 18), "en", sig, run_id,
        None, *lines.to_bytes(),
    )  # fmt: skip


@pytest.mark.parametrize("earlier", [False, True])
def test_lines_of_articles_published_by_earlier_runs_count_as_chrome(
    pipeline, run_ctx, earlier
) -> None:
    # One new page of a site: alone, the model removes part of the menu and the footer's
    # links; with three pages of the site published by earlier runs (their line sketches in
    # the index), the whole menu, the blurb and the footer are lines four distinct articles
    # carry: chrome, as in one run over all four pages.
    article = _article(run_ctx, _site_page("004"), "a004", language="en")
    removed = (
        (*MENU, *BLURB, *FOOTER)
        if earlier
        else ("Home", "World", "Business", "Facebook | Twitter | Email", FOOTER[2])
    )
    body = _body("004") + ("" if earlier else "\n\n" + "\n".join([*MENU[3:], "", *BLURB]))
    with pipeline as p:
        stored = p | "Stored" >> beam.Create(
            [_published(x, "20260101T000000Z-aaaaaa") for x in ("001", "002", "003")]
            if earlier
            else []
        )
        out = p | beam.Create([article]) | RemoveBoilerplate(stored=stored)
        assert_that(
            out.checked | beam.Map(lambda a: (a.boilerplate, a.body.split("\n\n")[-1][:40])),
            equal_to([(removed, body.split("\n\n")[-1][:40])]),
        )


def test_a_published_sketch_has_the_lines_of_the_body_before_cleaning() -> None:
    page = _site_page("001")
    split = bp.split_boilerplate(page, "en", _batch([_site_page(x) for x in ("001", "002", "003")]))
    published = bp.published_sketch(split.body, split.removed)
    before = bp.line_sketch(page)
    assert split.removed == (*MENU, *BLURB, *FOOTER)
    pairs = sorted(zip(published.hashes.tolist(), published.long.tolist(), strict=True))
    assert pairs == sorted(zip(before.hashes.tolist(), before.long.tolist(), strict=True))
    assert int(published.long.sum()) == 14  # seed 001's 12 paragraphs and the blurb's 2


def test_pages_sharing_only_chrome_are_not_duplicates(pipeline, run_ctx) -> None:
    # Without the stage the shared menu and footer are most of two short pages; with it, the
    # four distinct seed reports are kept and only the spun copy 000 of 001 is dropped.
    prefixes = ("000", "001", "002", "003", "004")
    articles = [_article(run_ctx, _page(p), f"a{p}", language="en") for p in prefixes]
    with pipeline as p:
        out = p | beam.Create(articles) | RemoveBoilerplate() | DropDuplicates()
        assert_that(
            out.duplicates | beam.Map(lambda d: (d.article_id, d.kept_article_id)),
            equal_to([("a000", "a001")]),
            label="dups",
        )
        assert_that(
            out.articles | beam.Map(lambda a: a.article_id),
            equal_to(["a001", "a002", "a003", "a004"]),
            label="kept",
        )


def _walk(tree: dict, row: np.ndarray) -> float:
    """One tree, one row, the plain way: follow the tests from the root to a leaf."""
    if tree["feature"][0] < 0:
        return tree["leaf_value"][0]
    node = 0
    while node >= 0:
        go_left = row[tree["feature"][node]] <= tree["threshold"][node]
        node = tree["left"][node] if go_left else tree["right"][node]
    return tree["leaf_value"][~node]


def test_packaged_forests_equal_walking_each_tree() -> None:
    data = json.loads(model.MODEL_PATH.read_text(encoding="utf-8"))
    assert data["stage1"]["features"] == list(features.NAMES)
    assert data["stage2"]["features"] == list(features.CONTEXT_NAMES)
    page = body_lines(_page("001"))
    x = bp.page_features(page, "en", "Rockets hit Baghdad", np.arange(len(page)) % 3)
    packaged = model.forest()
    for stage, forest in (("stage1", packaged.stage1), ("stage2", packaged.stage2)):
        if stage == "stage2":
            x = features.context_features(x, packaged.stage1.probability(x))
        trees, bias = data[stage]["trees"], data[stage]["bias"]
        plain = np.array([sum(_walk(t, row) for t in trees) for row in x]) + bias
        assert np.allclose(forest.raw_score(x), plain, rtol=0, atol=1e-12)


def _plain_repeats(bodies: list[str]) -> dict[int, tuple[int, int]]:
    """Repeats the straightforward way: per line, the articles holding it, then those whose
    longest run of shared paragraphs is short (articles with text of their own)."""
    from pipelines.core.boilerplate.lines import body_lines, line_hashes, long_lines
    from pipelines.core.boilerplate.repetition import COPY_RUN_LINES, _longest_run

    docs = [(line_hashes(body_lines(b)), long_lines(body_lines(b))) for b in bodies]
    holders: dict[int, set[int]] = {}
    for i, (hashes, _) in enumerate(docs):
        for h in hashes.tolist():
            holders.setdefault(h, set()).add(i)
    own = [
        _longest_run(long & np.array([len(holders[h]) >= 2 for h in hashes.tolist()], dtype=bool))
        < COPY_RUN_LINES
        for hashes, long in docs
    ]
    return {h: (len(ds), sum(own[d] for d in ds)) for h, ds in holders.items() if len(ds) >= 2}


def test_batch_repeats_equal_the_plain_count() -> None:
    story = _body("003")
    bodies = [*(_page(p) for p in ("001", "002", "004")), story, story, story, _page("003")]
    repeats = _batch(bodies)
    plain = _plain_repeats(bodies)
    assert (
        dict(
            zip(
                repeats.hashes.tolist(),
                zip(repeats.articles.tolist(), repeats.distinct.tolist(), strict=True),
                strict=True,
            )
        )
        == plain
    )
    sketch = bp.line_sketch(_page("001"))
    again = bp.LineSketch.from_bytes(sketch.to_bytes())
    assert np.array_equal(again.hashes, sketch.hashes) and np.array_equal(again.long, sketch.long)


def test_only_bodies_that_may_hold_chrome_wait_for_the_batch() -> None:
    assert [bp.sketch_and_check(_body(p))[1] for p in ("000", "001", "002", "003", "004")] == [
        False,
        False,
        False,
        False,
        False,
    ]
    assert bp.sketch_and_check(_page("001"))[1] is True


def test_document_features_of_a_small_page() -> None:
    from pipelines.core.boilerplate.document import NAMES, document_features

    lines = [
        "Home",
        "Rockets hit Baghdad base",
        "July 24, 2012 3:31 PM EDT",
        "Three rockets hit the base near Baghdad on Sunday and the army said nobody was hurt.",
        "Reply",
        "July 25, 2012 9:02 PM EDT",
        "Reply",
    ]
    prose = np.array([0, 0, 0, 1, 0, 0, 0], dtype=float)
    x = document_features(lines, "Rockets hit Baghdad base - Example News", "en", prose)
    column = {name: x[:, i].round(6).tolist() for i, name in enumerate(NAMES)}
    ln2 = round(float(np.log(2)), 6)
    # "Reply" twice; the two comment stamps are one template once digits are masked.
    assert column["log_page_repeats"] == [0, 0, 0, 0, ln2, 0, ln2]
    assert column["log_template_repeats"] == [0, 0, ln2, 0, ln2, ln2, ln2]
    # Content words (function words and numbers left out) found in the title; the prose
    # line's: three rockets hit base near baghdad sunday army said nobody hurt -> 4 of 11.
    assert column["title_overlap"] == [0, 1, 0, 0.363636, 0, 0, 0]
    # ... and in another prose line (the only prose line has no other to be found in).
    assert column["prose_vocabulary"] == [0, 1, 0, 0, 0, 0, 0]
    # The headline is line 1 (Jaccard 4/6 with the title); offsets are signed log distances.
    offsets = [round(float(np.sign(d) * np.log1p(abs(d))), 6) for d in range(-1, 6)]
    assert column["headline_offset"] == offsets
    assert column["headline_similarity"] == [0.666667] * 7


def test_no_headline_without_a_title_or_a_close_line() -> None:
    from pipelines.core.boilerplate.document import NAMES, document_features

    lines = ["Home", "Sport", "A long line about something else entirely, not the title."]
    prose = np.zeros(3)
    for title in ("", "Election results in Ohio"):
        x = document_features(lines, title, "en", prose)
        assert x[:, NAMES.index("headline_offset")].tolist() == [0, 0, 0]
        assert x[:, NAMES.index("headline_similarity")].tolist() == [0, 0, 0]


def test_context_features_read_stage_one_around_each_line() -> None:
    # Three lines of 9, 1 and 9 words; stage one trusts the long ones.
    x = np.zeros((3, len(features.NAMES)))
    x[:, 0] = np.log1p([9, 1, 9])
    c = features.context_features(x, np.array([0.9, 0.2, 0.8]))
    column = {name: c[:, i].round(6).tolist() for i, name in enumerate(features.CONTEXT_NAMES)}
    assert column["stage1"] == [0.9, 0.2, 0.8]
    assert column["stage1_word_mean_1"] == [0.83, 0.815789, 0.74]  # word-weighted, ±1 line
    assert column["stage1_mean_1"] == [0.55, 0.633333, 0.5]
    assert column["stage1_text_before"] == [0.5, 0.5, 1.0]  # words of confident lines so far
    assert column["stage1_text_after"] == [1.0, 0.5, 0.5]
    # The block of lines whose (P - 0.5) x words sums highest spans all three: the short line
    # between two confident paragraphs is inside it.
    assert column["stage1_in_block"] == [1.0, 1.0, 1.0]
    assert column["stage1_page_mean"] == [0.815789] * 3


def test_a_scraped_page_and_its_own_clean_text_are_not_chrome() -> None:
    # The scraper split the page's paragraphs with link lines; the clean text has subheads and
    # list items between them. No three shared paragraphs are neighbours and neither text is
    # mostly paragraphs, but each holds the other's paragraphs, and nothing else does: a copy.
    paragraphs = [p for p in _body("002").split("\n\n") if p.count(" ") >= 9][:6]
    links = ["Read more", "Iraq", "Photos", "Video: the scene", "Baghdad", "Share"]
    heads = ["Background", "Key facts", "Reaction", "What next", "Timeline", "Sources"]
    split_up = [x for p, k in zip(paragraphs, links, strict=True) for x in (p, k)]
    page = "\n".join([*MENU, *split_up, *FOOTER])
    subheaded = [
        x for p, h in zip(paragraphs, heads, strict=True) for x in (h, p, f"• {h} in brief")
    ]
    clean = "\n".join(subheaded)
    long = bp.long_lines(body_lines(clean))
    assert int(long.sum()) == len(paragraphs) == 6
    assert not is_copy(long, long)  # neither a run nor a text of prose
    assert is_copy(long, long, pair=long)
    site = [_page(p) for p in ("001", "003", "004")]
    repeats = _batch([page, clean, *site])
    others = repeats.for_article(bp.line_hashes(body_lines(page)), bp.long_lines(body_lines(page)))
    assert others.tolist() == [3] * len(MENU) + [0] * 2 * len(paragraphs) + [3] * len(FOOTER)
    split = bp.split_boilerplate(page, "en", repeats)
    assert split.removed == (*MENU, *FOOTER)
    assert bp.split_boilerplate(clean, "en", repeats) == bp.Split(clean, ())


VERSE = [
    "I wander often from the way,",
    "And sin afflicts me every day:",
    "Oh, when shall I be pure?",
    "Christ leads me to the path again,",
    "And washes me from every stain,",
    "A cleansing full and sure.",
]


def test_a_page_and_its_clean_text_of_short_lines_are_not_each_others_chrome() -> None:
    # A poem: no long line, so no run and no long-line share sees a copy. Seven of the clean
    # text's eight lines are held by its page (40 lines) and by nothing else, and they are a
    # sixth of the page: the clean text is a copy of the page, and the verses the two share
    # count as no other article's for either of them.
    links = [f"Related: post number {i}" for i in range(24)]
    page = "\n".join([*MENU, *VERSE, "Posted by Jeremy Walker", *links, *FOOTER])
    clean = "\n".join(["Posted by Jeremy Walker", *VERSE, "8 8 6. D (Tresalem)"])
    lines = body_lines(clean)
    pair = np.ones(len(lines), dtype=bool)
    pair[-1] = False
    partner = np.where(pair, len(body_lines(page)), 0)
    long = bp.long_lines(lines)
    assert not long.any()
    assert not is_copy(long, pair, pair=pair)  # without the partner's size: no test
    assert copied_partner(pair, partner) == 40
    assert is_copy(long, pair, pair=pair, partner=partner)
    # Seven lines of a 34-line partner are more than a fifth of it: two pages alike.
    assert copied_partner(pair, np.where(pair, 34, 0)) is None
    first = np.zeros(len(lines), dtype=bool)
    first[0] = True
    assert copied_partner(first, np.where(first, 40, 0)) is None  # one line of eight held
    site = [_page(p) for p in ("001", "003", "004")]
    repeats = _batch([page, clean, *site])

    def others(body: str) -> list[int]:
        ls = body_lines(body)
        return repeats.for_article(bp.line_hashes(ls), bp.long_lines(ls)).tolist()

    assert others(page) == (
        [3] * len(MENU) + [0] * (len(VERSE) + 1) + [0] * len(links) + [3] * len(FOOTER)
    )
    assert others(clean) == [0] * (len(VERSE) + 2)
    # A text that holds three verses of the page among more lines of its own is no copy
    # of it: there the page's verses are another article's lines.
    quoting = "\n".join([*VERSE[:3], "Four lines", "of its own", "and more", "to end"])
    repeats = _batch([page, quoting, *site])
    assert others(page)[len(MENU) : len(MENU) + 4] == [1, 1, 1, 0]
    # Two pages of one site, alone in the count, share most of their lines (menu, footer,
    # verses and three blurbs of prose between short lines), each with a paragraph of its own:
    # each is mostly the other's, so neither is the other's copy, and each counts the other's
    # chrome.
    b = [p for p in _body("003").split("\n\n") if p.count(" ") >= 9][:3]
    shared = [*MENU[:3], b[0], MENU[3], b[1], MENU[4], b[2], MENU[5], *VERSE]
    one, two = (
        "\n".join([*shared, _body(prefix).split("\n\n")[1], *FOOTER]) for prefix in ("001", "004")
    )
    repeats = _batch([one, two])
    ls = body_lines(one)
    assert bp.long_lines(ls).sum() >= 3
    assert others(one) == [1] * len(shared) + [0] + [1] * len(FOOTER)


# A site's sidebars as a scraper saves them: a list of recommended books (long lines, set in
# Title Case) and an events list whose blurbs are sentences, between titles, dates and buttons
# (the AWS blog pages R259, R260 and R985 of the web corpus have this shape).
BOOKS = [
    "Anna Kowalski: Building Reliable Data Pipelines for Streaming News and Archives",
    "Marco Bellini: Practical Cloud Storage Patterns for Small Teams and Large Archives",
    "Ruth Okafor: The Field Guide to Search Engines, Indexes and Query Planners",
    "Tom Jensen: Designing Distributed Systems That Keep Working When Networks Fail",
]
EVENTS = [
    "Data Summit London",
    "[London]",
    "Thursday, March 5, 2026",
    "This workshop walks through real case studies of moving newsroom archives to object "
    "storage, with time for questions.",
    "Register Now",
    "Search at Scale",
    "[Online]",
    "Tuesday, March 10, 2026",
    "A one-hour webinar on indexing millions of articles a day, from the crawler to the query, "
    "with a live demo.",
    "Register Now",
]


def _sidebar_page(prefix: str) -> str:
    return "\n".join([*MENU, "", _body(prefix), "", *BOOKS, *EVENTS, *FOOTER])


def test_a_list_of_titles_is_no_copied_story_and_hides_no_sidebar() -> None:
    # Four long shared lines in a row would make each page a copy of a story, and a copy's
    # lines are no chrome evidence: the events blurbs, held by all three pages, stayed in
    # every body. Lines set in Title Case are no story's paragraphs.
    sketch = bp.line_sketch(_sidebar_page("001"))
    assert int(sketch.titles.sum()) == len(BOOKS)
    back = bp.LineSketch.from_bytes(sketch.to_bytes())
    assert back.titles.tolist() == sketch.titles.tolist()
    assert back.long.tolist() == sketch.long.tolist()
    pages = {p: _sidebar_page(p) for p in ("001", "002", "003")}
    repeats = _batch(list(pages.values()))
    for prefix, page in pages.items():
        split = bp.split_boilerplate(page, "en", repeats)
        assert split == bp.Split(_body(prefix), (*MENU, *BOOKS, *EVENTS, *FOOTER))


def test_a_sketch_stored_before_title_flags_reads_as_running_text() -> None:
    # Index entries written before the third flag value hold 0 / 1 per line.
    hashes = np.array([11, 22, 33], dtype="<i8").tobytes()
    old = bp.LineSketch.from_bytes((hashes, np.array([1, 0, 1], dtype=bool).tobytes()))
    assert old.long.tolist() == [True, False, True]
    assert old.titles.tolist() == [False, False, False]
