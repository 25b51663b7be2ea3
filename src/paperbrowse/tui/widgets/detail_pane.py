"""The detail pane: everything about the selected paper, links to other papers, and the
user's note as Markdown.

Record text is untrusted: it is assembled into `Content` as plain text (never parsed as
markup), with control characters made visible first. A link to another paper carries its
click action as style metadata holding only a number, never record text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.style import Style
from textual.widgets import Markdown, Static
from textual.worker import Worker, WorkerState

from paperbrowse.core.library.entries import STATUS_MARKS
from paperbrowse.core.library.user_library import Library
from paperbrowse.core.records.bibliography import reference_rows
from paperbrowse.core.records.catalog import Catalog
from paperbrowse.core.records.cell_wrap import cells, wrap_cells
from paperbrowse.core.records.safe_text import one_line, visible
from paperbrowse.core.records.schema import Paper
from paperbrowse.core.search.full_text import hits_line
from paperbrowse.core.search.related import AUTO_BUILD_UP_TO, LIMIT, is_ready, related, related_index
from paperbrowse.core.sources.pdfs import local_pdf
from paperbrowse.tui.foreground import pause_of
from paperbrowse.tui.keys import bindings
from paperbrowse.tui.labels import tr
from paperbrowse.tui.parcel import Parcel
from paperbrowse.tui.textual_shims import style_scrollbar_now

PDF_MARK = "▣ PDF"  # the paper's PDF is on this machine (p opens it)
# Keys 1-5 follow the related papers, 6-9 the builds-on / built-on-by links: a paper's
# nearest neighbour is always `1`, whatever links it has. Further links are mouse-only.
RELATED_KEYS = range(1, LIMIT + 1)
LINEAGE_KEYS = range(LIMIT + 1, 10)
Part = str | tuple[str, str | Style]  # what Content.assemble takes


# A record or note can be huge (a 1 MB title, a 10 MB note): the details show a readable
# beginning, as the list row does, so moving onto such a paper never freezes the browser.
TITLE_LIMIT = 500
FIELD_LIMIT = 2_000
TEXT_LIMIT = 20_000
NOTE_LIMIT = 50_000
LIST_LIMIT = 50


def _cut(text: str, limit: int, language: str = "en", *, note: bool = False) -> str:
    if len(text) <= limit:
        return text
    more = "… ({count} more characters; n opens all of it)" if note else "… ({count} more characters)"
    return text[:limit] + tr(more, language, count=f"{len(text) - limit:,}")


def _first(items: tuple[str, ...], limit: int, language: str) -> str:
    shown = ", ".join(items[:limit])
    return (
        shown
        if len(items) <= limit
        else f"{shown} " + tr("… and {count} more", language, count=f"{len(items) - limit:,}")
    )


def _column(label: str, width: int) -> str:
    """`label` padded to `width` cells (a Chinese character takes two)."""
    return label + " " * max(width - cells(label), 1)


class DetailPane(VerticalScroll, can_focus=True):
    DEFAULT_CSS = """
    DetailPane #detail-body, DetailPane #detail-links, DetailPane #detail-note-title {
        margin-top: 1;
    }
    DetailPane #detail-note {
        margin: 0;
        padding: 0;
        background: transparent;
    }
    """
    BINDINGS = bindings("details")

    language: reactive[str] = reactive("en", init=False)  # "en" or "zh": the summaries shown

    def __init__(self, catalog: Catalog, library: Library, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.catalog = catalog
        self.library = library
        self.paper: Paper | None = None
        self.links: dict[int, str] = {}  # link number -> paper id, for keys and clicks
        self.sources: tuple[str, ...] = ()  # the shown paper's sources, clicked by position
        self._note_shown = ""
        self._shown: dict[Static, Content] = {}  # what each section shows now
        self._related_error = ""  # why the related papers could not be found
        self.texts: Mapping[str, Sequence[str]] = {}  # the text of the user's PDFs, by paper
        self.text_needles: list[str] = []  # what the query's `text:` filters look for
        self.pdf_folder: Path | None = None  # config.toml's PDFs folder; None: pdfs/ beside the library

    def watch_language(self, language: str) -> None:
        self.query_one("#detail-note-title", Static).update(Content.styled(tr("Note", language), "bold"))
        self.show(self.paper)

    def use_catalog(self, catalog: Catalog) -> None:
        """Show papers of a collection loaded again; find its related papers when it is small."""
        self.catalog = catalog
        self._related_error = ""
        if len(catalog.papers) <= AUTO_BUILD_UP_TO:
            self.find_related()

    # Related papers: an index built off the UI thread (seconds for a large collection).
    def find_related(self) -> None:
        self._related_error = ""
        self._build_related(Parcel(self.catalog), pause_of(self.app))

    @work(thread=True, group="related", exit_on_error=False)
    def _build_related(self, parcel: Parcel[Catalog], pause: Callable[[], None] | None) -> None:
        catalog = parcel.take()  # see `tui.parcel`
        related_index(catalog, pause)
        self.app.call_from_thread(self._related_ready, catalog)

    def _related_ready(self, catalog: Catalog) -> None:
        if catalog is self.catalog:
            self.show(self.paper)

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            self.log.error(f"finding related papers failed: {error!r}")
            self._related_error = f"{type(error).__name__}: {error}"
            self.notify(
                f"Could not find related papers: {self._related_error}", severity="error", timeout=8, markup=False
            )
            self.show(self.paper)

    def on_mount(self) -> None:
        style_scrollbar_now(self)

    def compose(self) -> ComposeResult:
        yield Static(id="detail-head")
        yield Static(id="detail-body")
        yield Static(id="detail-links")
        yield Static(Content.styled(tr("Note", self.language), "bold"), id="detail-note-title")
        yield Markdown(id="detail-note", open_links=False)

    def show(self, paper: Paper | None) -> None:
        changed = paper is not self.paper
        self.paper = paper
        head = self.query_one("#detail-head", Static)
        body = self.query_one("#detail-body", Static)
        note_title = self.query_one("#detail-note-title", Static)
        note = self.query_one("#detail-note", Markdown)
        links = self.query_one("#detail-links", Static)
        if paper is None:
            self._update(head, Content.styled(tr("No paper matches.", self.language), "dim italic"))
            self._update(body, Content())
            self._update(links, Content())
            links.display = False
            self.links = {}
            note_title.display = note.display = False
            return
        self._update(head, self._head(paper))
        self._update(body, self._body(paper))
        content = self._links(paper)
        self._update(links, content)
        links.display = bool(content.plain)  # no empty section, nor its margin
        text = visible(_cut(self.library.note(paper.id), NOTE_LIMIT, self.language, note=True))
        note_title.display = note.display = bool(text.strip())
        if text != self._note_shown:  # Markdown rebuilds its widgets on update: only when it changed
            self._note_shown = text
            note.update(text)
        if changed:
            self.scroll_home(animate=False)

    def _update(self, section: Static, content: Content) -> None:
        """Show new content only: each update lays out the screen, and a keystroke that keeps
        the same paper on top (most of them, in a long query) would pay for three."""
        shown = self._shown.get(section)
        if shown is None or not shown.is_same(content):
            self._shown[section] = content
            section.update(content)

    def _head(self, paper: Paper) -> Content:
        language = self.language
        category = self.catalog.categories.get(paper.category)
        category_name = category.name if category else paper.category
        if language == "zh" and category and category.name_zh:
            category_name = category.name_zh
        starred = self.library.is_starred(paper.id)
        status = self.library.status(paper.id)
        status_text = f"{STATUS_MARKS[status]} {tr(status, language)}"
        local = local_pdf(paper, self.library, self.pdf_folder)  # a few stats: cheap enough for every move
        rows = [
            # A `text:` search's pages first: what the reader looks for now.
            (
                tr("In PDF", language),
                hits_line(self.texts.get(paper.id, ()), self.text_needles) if self.text_needles else "",
            ),
            (tr("Authors", language), _first(paper.authors, LIST_LIMIT, language)),
            (tr("Orgs", language), _first(paper.orgs, LIST_LIMIT, language)),
            (tr("Date", language), paper.date.isoformat() + (f" · {paper.venue}" if paper.venue else "")),
            *((tr(label, language), value) for label, value in reference_rows(paper.bib)),
            (tr("Category", language), category_name),
            (tr("arXiv", language), paper.arxiv),
            (tr("Link", language), paper.link),
            (tr("PDF", language), paper.pdf),
            (tr("PDF here", language), str(local) if local else ""),
            (tr("Code", language), paper.code),
            (tr("Aliases", language), _first(paper.aliases, LIST_LIMIT, language)),
            (tr("Tags", language), " ".join(f"#{t}" for t in paper.tags)),
            (tr("My tags", language), " ".join(f"#{t}" for t in self.library.user_tags(paper.id))),
        ]
        title = one_line(_cut(paper.title, TITLE_LIMIT, language))
        parts: list[str | tuple[str, str]] = [(title, "bold $accent"), "\n"]
        star = tr("★ starred", language) if starred else tr("☆ not starred", language)
        parts += [(star, "$warning" if starred else "dim"), "   "]
        parts += [(status_text, "dim")]
        if local is not None:
            parts += ["   ", (PDF_MARK, "bold $success")]
        parts += ["\n\n"]
        width = max(max((cells(label) for label, value in rows if value), default=0) + 1, 9)
        for label, value in rows:
            if value:
                parts += [
                    (_column(label, width), "dim"),
                    one_line(_cut(value, FIELD_LIMIT, language)),
                    "\n",
                ]
        return Content.assemble(*parts)

    def _body(self, paper: Paper) -> Content:
        language = self.language
        zh = language == "zh"
        highlight = (paper.highlight_zh if zh else paper.highlight) or paper.highlight or paper.highlight_zh
        summary = (paper.summary_zh if zh else paper.summary) or paper.summary or paper.summary_zh
        parts: list[Part] = []
        if highlight.strip():
            parts += [
                (tr("Why it matters", language), "bold"),
                "\n",
                (self._flow(visible(_cut(highlight.strip(), TEXT_LIMIT, language))), "italic"),
                "\n\n",
            ]
        if summary.strip():
            parts += [
                (tr("Summary", language), "bold"),
                "\n",
                self._flow(visible(_cut(summary.strip(), TEXT_LIMIT, language))),
                "\n",
            ]
        if paper.unverified:
            parts += ["\n", (tr("⚠ Unverified", language), "bold $warning"), "\n"]
            for note in paper.unverified[:LIST_LIMIT]:
                parts += [("⚠ ", "$warning"), (visible(one_line(_cut(note, FIELD_LIMIT, language))), "$warning"), "\n"]
        parts += self._sources(paper, language)
        return Content.assemble(*parts)

    def _flow(self, text: str) -> str:
        """Chinese text wrapped here, by cells and line-breaking rules: Textual breaks lines only
        at spaces, so a Chinese run would leave a short line and then fold mid-phrase."""
        # Two cells spare: a scrollbar appearing must not make Textual fold the lines again.
        width = self.query_one("#detail-body", Static).content_size.width - 2
        if width <= 0 or not any(cells(character) == 2 for character in text):
            return text
        return "\n".join("\n".join(wrap_cells(paragraph, width)) for paragraph in text.split("\n"))

    def action_half_page(self, direction: int) -> None:
        self.scroll_relative(y=direction * max(self.scrollable_content_region.height // 2, 1), animate=False)

    def on_resize(self) -> None:
        self.show(self.paper)  # the Chinese text's lines were made for the old width

    def _sources(self, paper: Paper, language: str) -> list[Part]:
        """The pages the facts were checked against, each a link: the click names its position
        only, and the screen opens the URL after checking it again."""
        self.sources = paper.sources[:LIST_LIMIT]
        if not self.sources:
            return []
        parts: list[Part] = ["\n", (tr("Sources", language), "bold"), "\n"]
        for number, link in enumerate(self.sources):
            click = Style.from_meta({"@click": f"screen.open_source({number})"})
            parts += [" · ", (one_line(_cut(link, FIELD_LIMIT, language)), click + Style(underline=True)), "\n"]
        return parts

    def _links(self, paper: Paper) -> Content:
        """Related papers (keys 1-5), then what it builds on and what builds on it (6-9)."""
        self.links = {}
        language = self.language
        sections: list[list[Part]] = []
        if is_ready(self.catalog):
            found = [r.paper for r in related(self.catalog, paper.id)]
            if found:
                sections.append(self._section(tr("Related", language), found, iter(RELATED_KEYS)))
        else:
            # The index is being built in the background, which shows the pane again when it
            # is ready; a very large collection waits for R.
            if self._related_error:
                waiting = tr("could not find them: ", language) + one_line(self._related_error)
            elif len(self.catalog.papers) > AUTO_BUILD_UP_TO:
                waiting = tr("press R to find related papers", language)
            else:
                waiting = tr("finding related papers…", language)
            sections.append([(tr("Related", language), "bold"), "\n", (waiting, "dim italic"), "\n"])
        keys = iter(LINEAGE_KEYS)  # shared: "built on by" numbers continue after "builds on"
        for title, papers in (
            (tr("Builds on", language), self.catalog.builds_on(paper)),
            (tr("Built on by", language), self.catalog.built_on_by(paper.id)),
        ):
            if papers:
                sections.append(self._section(title, papers, keys))
        parts: list[Part] = []
        for section in sections:
            parts += ["\n", *section] if parts else section
        return Content.assemble(*parts)

    def _section(self, title: str, papers: list[Paper], keys: Iterator[int]) -> list[Part]:
        parts: list[Part] = [(title, "bold"), "\n"]
        for paper in papers:
            key = next(keys, None)
            number = key if key is not None else 100 + len(self.links)  # beyond 9: mouse only
            self.links[number] = paper.id
            click = Style.from_meta({"@click": f"screen.follow_link({number})"})
            parts += [(f" {key} " if key is not None else " · ", "bold $accent"), " "]
            parts += [(one_line(_cut(paper.title, TITLE_LIMIT, self.language)), click), "\n"]
        return parts
