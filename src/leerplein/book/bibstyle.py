"""Citations and the bibliography in Dutch: "Kretzmann en McKnight, 1993", not "and".

sphinxcontrib-bibtex's author-year references and pybtex's plain bibliography style join
names with English words and print a few English labels; these subclasses change only that.
Registered by leerplein.book.sphinx_ext and chosen in book/_config.yml."""

from __future__ import annotations

from dataclasses import dataclass, field

REFERENCE_STYLE = "author_year_nl"
BIBLIOGRAPHY_STYLE = "plain_nl"


def reference_style():
    from pybtex.richtext import Tag, Text
    from sphinxcontrib.bibtex.style.referencing import PersonStyle
    from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

    def dutch_persons() -> PersonStyle:
        return PersonStyle(sep2=" en ", last_sep=" en ", other=Text(" ", Tag("em", "e.a.")))

    @dataclass
    class DutchAuthorYearReferenceStyle(AuthorYearReferenceStyle):
        person: PersonStyle = field(default_factory=dutch_persons)

    return DutchAuthorYearReferenceStyle


def bibliography_style():
    from pybtex.style.formatting import toplevel
    from pybtex.style.formatting.plain import Style
    from pybtex.style.template import field as bibfield
    from pybtex.style.template import first_of, names, optional_field, sentence, words

    class DutchPlainStyle(Style):
        def format_names(self, role, as_sentence=True):
            formatted = names(role, sep=", ", sep2=" en ", last_sep=" en ")
            return sentence[formatted] if as_sentence else formatted

        def format_title(self, e, which_field, as_sentence=True):
            # as written in references.bib: plain lowercases Dutch titles after a full stop
            formatted = bibfield(which_field)
            return sentence[formatted] if as_sentence else formatted

        def get_techreport_template(self, e):
            return toplevel[
                sentence[self.format_names("author")],
                self.format_title(e, "title"),
                sentence[words[first_of[optional_field("type"), "Rapport"], optional_field("number")],
                         bibfield("institution"), optional_field("address"), bibfield("year")],
                sentence[optional_field("note")],
                self.format_web_refs(e),
            ]

    return DutchPlainStyle


def register() -> None:
    import pybtex.plugin
    from sphinxcontrib.bibtex.plugin import register_plugin

    register_plugin("sphinxcontrib.bibtex.style.referencing", REFERENCE_STYLE, reference_style(), force=True)
    pybtex.plugin.register_plugin("pybtex.style.formatting", BIBLIOGRAPHY_STYLE, bibliography_style(), force=True)
