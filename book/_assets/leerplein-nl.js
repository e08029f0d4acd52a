// Dutch for the search page's messages that Sphinx's Dutch catalog leaves empty (the status line
// after a search) or writes formally. Documentation.addTranslations (Sphinx's doctools.js) merges
// these into the catalog loaded from translations.js.
if (typeof Documentation !== "undefined" && Documentation.addTranslations) {
  Documentation.addTranslations({
    locale: "nl",
    plural_expr: "(n != 1)",
    messages: {
      "Search finished, found ${resultCount} page(s) matching the search query.":
        "Klaar met zoeken. Aantal pagina's gevonden: ${resultCount}.",
      ", in ": ", in ",
      "Your search did not match any documents. Please make sure that all words are spelled correctly and that you've selected enough categories.":
        "Je zoekwoorden staan op geen enkele pagina. Kijk of alle woorden goed gespeld zijn, of probeer een ander woord.",
      "Preparing search...": "Zoeken wordt voorbereid…",
      "Searching": "Bezig met zoeken",
      "Search Results": "Zoekresultaten",
      "Hide Search Matches": "Zoekwoorden niet meer markeren",
    },
  });
}
