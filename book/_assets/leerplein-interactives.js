// Leerplein interactives in the static book. Each <section class="lp-interactive"> carries
// its data (computed by the Python logic at build time) in a JSON script; this file draws the
// controls and looks results up in that data. Nothing is loaded from outside the book.
(function () {
  "use strict";
  const scriptBase = new URL(".", document.currentScript.src);

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (value === true) node.setAttribute(key, "");
      else if (value !== false && value !== null && value !== undefined) node.setAttribute(key, value);
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  // localStorage is per site: on the hub every participant's pages share it, so the key
  // carries her own server's path (/user/<name>/) and nobody else's page reads her answers.
  function storageKey(name) {
    const own = location.pathname.match(/\/user\/[^/]+\//);
    return own ? `${name}:${own[0]}` : name;
  }
  function loadStored(name) {
    try { return JSON.parse(localStorage.getItem(storageKey(name)) || "null"); } catch (e) { return null; }
  }
  function store(name, value) {
    try { localStorage.setItem(storageKey(name), JSON.stringify(value)); return true; } catch (e) { return false; }
  }

  let uid = 0;
  const nextId = (prefix) => `${prefix}-${++uid}`;

  function euro(amount) {
    const sign = amount < 0 ? "-" : "";
    const [whole, cents] = Math.abs(amount).toFixed(2).split(".");
    return `${sign}€ ${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ".")},${cents}`;
  }

  function labelled(labelText, control) {
    const id = control.id || nextId("lp");
    control.id = id;
    return el("div", { class: "lp-field" }, el("label", { for: id, text: labelText }), control);
  }

  function checkbox(labelText, value, onchange) {
    const id = nextId("lp-cb");
    const box = el("input", { type: "checkbox", id, value, onchange });
    return el("div", { class: "lp-check" }, box, el("label", { for: id, text: labelText }));
  }

  // ---- Rondkomen -------------------------------------------------------------------------
  function rondkomen(root, data) {
    const household = el("select", {},
      Object.entries(data.households).map(([k, v]) => el("option", { value: k, text: v })));
    const boxes = Object.entries(data.setbacks).map(([k, v]) => checkbox(v, k, update));
    const result = el("div", { class: "lp-result", role: "status", "aria-live": "polite" });
    household.addEventListener("change", update);
    const sources = el("details", {}, el("summary", { text: "Waar komen de bedragen vandaan?" }),
      el("table", { class: "lp-table" },
        el("thead", {}, el("tr", {}, ["Wat", "Bedrag", "Bron", "Peildatum of jaar", "Soort"].map((h) => el("th", { scope: "col", text: h })))),
        el("tbody", {}, data.sources.map((s) => el("tr", {},
          el("td", { text: s.wat }), el("td", { text: euro(s.bedrag) }), el("td", { text: s.bron }),
          el("td", { text: String(s.jaar) }), el("td", { text: s.illustratief ? "voorbeeld (illustratief)" : "bron" }))))));
    root.append(el("p", { class: "lp-note lp-peildatum", text: `${data.normLabel}. De normen zijn in elke gemeente gelijk.` }),
      labelled("Huishouden", household),
      el("fieldset", {}, el("legend", { text: "Tegenvallers deze maand" }), boxes),
      result, sources);

    function update() {
      const chosen = boxes.map((b) => b.querySelector("input")).filter((i) => i.checked).map((i) => i.value).sort();
      const s = data.scenarios[`${household.value}|${chosen.join(",")}`];
      const lowest = Math.min(0, ...s.weeks);
      const scale = Math.max(s.left, 1) - lowest;
      result.replaceChildren(
        el("p", { text: s.summary }),
        el("div", { class: "lp-bars", role: "img", "aria-label": s.description },
          s.weeks.map((balance, i) => el("div", { class: "lp-bar-row" },
            el("span", { text: `Week ${i + 1}` }),
            el("span", { class: balance < 0 ? "lp-bar lp-negative" : "lp-bar", style: `width:${Math.round(Math.abs(balance) / scale * 100)}%` }),
            el("span", { class: "lp-amount", text: euro(balance) })))),
        el("p", { class: "lp-outcome" }, el("strong", { text: s.outcome })),
        s.illustrative.length ? el("div", { class: "lp-note" }, el("p", { text: "Let op: deze bedragen zijn een voorbeeld (illustratief), geen norm:" }),
          el("ul", {}, s.illustrative.map((x) => el("li", { text: x })))) : null);
    }
    update();
  }

  // ---- Schaarste-spel ----------------------------------------------------------------------
  function schaarste(root, data) {
    let path = [];
    const status = el("div", { class: "lp-result", role: "status", "aria-live": "polite" });
    const meter = el("meter", { min: 0, max: 100, "aria-label": "Bandbreedte" });
    const buttons = Object.entries(data.choices).map(([k, label]) =>
      el("button", { type: "button", class: "lp-button", "data-choice": k, text: label, onclick: () => choose(k) }));
    const log = el("ol", { class: "lp-log" });
    const why = el("div", { class: "lp-why", id: nextId("lp-why") });
    const restart = el("button", { type: "button", class: "lp-button lp-secondary", text: "Opnieuw beginnen", onclick: () => { path = []; draw(); } });
    root.append(el("p", { class: "lp-note", text: "Dit is een demonstratie, geen meting van jouw intelligentie." }),
      status, el("div", { class: "lp-field" }, el("span", { text: "Bandbreedte " }), meter),
      el("div", { class: "lp-choices", role: "group", "aria-label": "Wat doe je deze week?" }, buttons),
      why, restart, el("h4", { text: "Wat er gebeurde" }), log);
    root.append(attentionTask(data.trials));

    const key = (p) => p.map((c) => c[0]).join(".");
    function choose(choice) { path = [...path, choice]; draw(); }
    function draw() {
      const node = data.tree[key(path)];
      meter.value = node.bandwidth;
      const lines = [];
      for (let i = 1; i <= path.length; i++) lines.push(data.tree[key(path.slice(0, i))].note);
      log.replaceChildren(...lines.map((line) => el("li", { text: line })));
      const summary = `Week ${Math.min(node.week, data.weeks)} van ${data.weeks}. Geld: ${Math.round(node.money)} euro. ` +
        `Open rekeningen: ${Math.round(node.openBills)} euro. Schuld: ${Math.round(node.debt)} euro. Bandbreedte: ${node.bandwidth} van 100.`;
      if (node.finished) {
        status.replaceChildren(el("p", { text: summary }), el("p", {}, el("strong", { text: "Het spel is klaar. Bespreek: wanneer zat je in de tunnel?" })));
      } else {
        const [what, amount] = data.bills[node.week - 1];
        status.replaceChildren(el("p", { text: summary }), el("p", { class: "lp-income", text: node.income }),
          el("p", {}, "Rekening deze week: ", el("strong", { text: what }), ` (${amount} euro).`));
      }
      // a grey button says why: the reasons are computed in Python (scarcity.reasons)
      const reasons = node.finished ? {} : node.reasons;
      why.replaceChildren(...(Object.keys(reasons).length
        ? [el("p", { class: "lp-note", text: "Waarom is een knop grijs?" }), el("ul", {}, Object.values(reasons).map((r) => el("li", { text: r })))]
        : []));
      for (const b of buttons) {
        b.disabled = node.finished || !node.options.includes(b.dataset.choice);
        if (reasons[b.dataset.choice]) b.setAttribute("aria-describedby", why.id);
        else b.removeAttribute("aria-describedby");
      }
    }
    draw();
  }

  function attentionTask(trials) {
    const box = el("div", { class: "lp-attention" }, el("h4", { text: "Aandachtstaak: onthoud een getal" }),
      el("p", { text: "Onthoud het getal, verberg het en beoordeel dan de sommen op een rekening. Doe het eerst met een kort getal (zonder last), dan met een lang getal (met last)." }));
    const results = el("div", { class: "lp-result", role: "status", "aria-live": "polite" });
    const scores = {};
    const rounds = [];
    for (const trial of trials) {
      const shown = el("p", { class: "lp-number" }, "Onthoud dit getal: ", el("strong", { text: trial.number }));
      const sums = trial.sums.map(([a, b, total]) => checkbox(`${a} + ${b} = ${total} klopt`, "", null));
      const recall = el("input", { type: "text", inputmode: "numeric", autocomplete: "off" });
      const work = el("div", { hidden: true }, el("p", { text: "Vink aan welke sommen kloppen." }), sums,
        labelled("Welk getal moest je onthouden?", recall),
        el("button", { type: "button", class: "lp-button", text: `Klaar met ronde '${trial.round}'`, onclick: finish }));
      const hide = el("button", { type: "button", class: "lp-button", text: "Verberg het getal en begin",
        onclick: () => { shown.textContent = "Het getal is verborgen."; work.hidden = false; hide.hidden = true; recall.focus(); } });
      const round = el("div", { class: "lp-round", hidden: rounds.length > 0 },
        el("h5", { text: `Ronde: ${trial.round}` }), shown, hide, work);
      rounds.push(round);
      box.append(round);
      function finish() {
        const next = rounds[rounds.indexOf(round) + 1];
        if (next) next.hidden = false;  // the next round starts only after this one
        const digits = recall.value.replace(/\D/g, "");
        let right = 0;
        for (let i = 0; i < trial.number.length; i++) if (digits[i] === trial.number[i]) right++;
        let sumsRight = 0;
        trial.sums.forEach(([a, b, total], i) => { if ((a + b === total) === sums[i].querySelector("input").checked) sumsRight++; });
        scores[trial.round] = `${trial.round}: ${right} van ${trial.number.length} cijfers goed, ${sumsRight} van ${trial.sums.length} sommen goed.`;
        results.replaceChildren(...Object.values(scores).map((t) => el("p", { text: t })));
      }
    }
    box.append(results);
    return box;
  }

  // ---- Leesbaarheidscheck -----------------------------------------------------------------
  // Same counting as textstat (Dutch settings) with pyphen's hyphenation patterns, so the
  // numbers match the Python version; a test compares both on reference texts.
  const WORDCHAR = "[\\p{L}\\p{N}\\p{M}_]";
  const SENTENCE = new RegExp(`(?:(?<=${WORDCHAR})(?!${WORDCHAR})|(?<!${WORDCHAR})(?=${WORDCHAR}))[^.!?]+[.!?]*`, "gu");
  const listWords = (text, keepApostrophe = true) =>
    text.replace(keepApostrophe ? /[^\p{L}\p{N}\p{M}_\s']/gu : /[^\p{L}\p{N}\p{M}_\s]/gu, "").split(/\s+/u).filter(Boolean);

  let hyphenation = null;
  let patternsLoading = null;
  // A script element, not fetch(): it loads from file:// (the PDF) and carries the hub's login
  // cookie without an XSRF token (a fetch() on the hub was redirected to the login page).
  function patternsText() {
    if (window.leerpleinHyphenation) return Promise.resolve(window.leerpleinHyphenation);
    patternsLoading = patternsLoading || new Promise((resolve, reject) => {
      const script = el("script", { src: new URL("vendor/hyph_nl_NL.js", scriptBase).href });
      script.addEventListener("load", () => (window.leerpleinHyphenation ? resolve(window.leerpleinHyphenation) : reject(new Error("no patterns"))));
      script.addEventListener("error", () => { patternsLoading = null; script.remove(); reject(new Error("patterns did not load")); });
      document.head.append(script);
    });
    return patternsLoading;
  }
  async function loadPatterns() {
    if (hyphenation) return hyphenation;
    const text = await patternsText();
    const patterns = new Map();
    let maxlen = 0;
    for (const raw of text.split("\n").slice(1)) {
      const p = raw.trim();
      if (!p || /^(%|#|LEFTHYPHENMIN|RIGHTHYPHENMIN|COMPOUNDLEFTHYPHENMIN|COMPOUNDRIGHTHYPHENMIN)/.test(p)) continue;
      const tags = [];
      const values = [];
      let i = 0;
      while (i < p.length) {
        let digit = 0;
        if (/\d/.test(p[i])) { digit = Number(p[i]); i++; }
        let tag = "";
        if (i < p.length && !/\d/.test(p[i])) { tag = p[i]; i++; }
        values.push(digit); tags.push(tag);
      }
      if (Math.max(...values) === 0) continue;
      let start = 0;
      let end = values.length;
      while (!values[start]) start++;
      while (!values[end - 1]) end--;
      const key = tags.join("");
      patterns.set(key, [start, values.slice(start, end)]);
      maxlen = Math.max(maxlen, key.length);
    }
    hyphenation = { patterns, maxlen, cache: new Map() };
    return hyphenation;
  }

  function syllables(word) {
    const { patterns, maxlen, cache } = hyphenation;
    word = word.toLowerCase();
    if (cache.has(word)) return cache.get(word);
    const chars = Array.from(`.${word}.`);
    const refs = new Array(chars.length + 1).fill(0);
    for (let i = 0; i < chars.length - 1; i++) {
      const stop = Math.min(i + maxlen, chars.length) + 1;
      for (let j = i + 1; j < stop; j++) {
        const pattern = patterns.get(chars.slice(i, j).join(""));
        if (!pattern) continue;
        const [offset, values] = pattern;
        values.forEach((v, k) => { if (i + offset + k < refs.length) refs[i + offset + k] = Math.max(v, refs[i + offset + k]); });
      }
    }
    const length = Array.from(word).length;
    let count = 1;
    refs.forEach((ref, i) => { const pos = i - 1; if (ref % 2 && pos >= 2 && pos <= length - 2) count++; });
    cache.set(word, count);
    return count;
  }

  function measure(text) {
    const words = listWords(text);
    if (!words.length) return { words: 0, sentences: 0, flesch: 0, lix: 0, wps: 0 };
    const found = text.match(SENTENCE) || [];
    const sentences = Math.max(1, found.length - found.filter((s) => listWords(s).length <= 2).length);
    const syll = words.reduce((n, w) => n + syllables(w), 0);
    const wps = words.length / sentences;
    const longWords = listWords(text, false).filter((w) => Array.from(w).length > 6).length;
    return { words: words.length, sentences, wps,
      flesch: 206.835 - 0.93 * wps - 77 * (syll / words.length),
      lix: wps + 100 * longWords / words.length };
  }

  function leesbaarheid(root, data) {
    const area = el("textarea", { rows: 12, class: "lp-textarea", spellcheck: "true" });
    area.value = data.text;
    const scores = el("div", { class: "lp-result", role: "status", "aria-live": "polite" });
    const marked = el("div", { class: "lp-marked", "aria-label": "Je tekst met lange zinnen en moeilijke woorden gemarkeerd" });
    const legend = el("p", { class: "lp-note" }, "Gemarkeerd: ", el("span", { class: "lp-long-sentence", text: "lange zin" }), ", ",
      el("mark", { class: "lp-long-word", text: "lang woord" }), ", ", el("mark", { class: "lp-jargon", text: "ambtelijk woord" }),
      ". De formules tellen woorden en lettergrepen; ze zeggen niet of een lezer je begrijpt. Test je tekst ook met lezers.");
    root.append(labelled("Plak of typ je tekst (bijvoorbeeld een brief van de gemeente)", area), scores, legend, marked);
    let timer = null;
    area.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(update, 150); });
    const label = (scale, value, lower) => (lower ? scale.find(([b]) => value >= b) : scale.find(([b]) => value < b))[1];

    function update() {
      const text = area.value;
      const m = measure(text);
      root.dataset.flesch = m.flesch.toFixed(2);
      root.dataset.lix = m.lix.toFixed(2);
      if (!m.words) {
        scores.replaceChildren(el("p", { text: "Er is nog geen tekst om te meten. Plak of typ een tekst." }));
        marked.replaceChildren();
        return;
      }
      const jargonFound = {};
      scores.replaceChildren(
        el("p", {}, el("strong", { class: "lp-score", text: `Flesch-Douma ${Math.round(m.flesch)}` }),
          ` (${label(data.douma, m.flesch, true)}), LIX ${Math.round(m.lix)} (${label(data.lix, m.lix, false)}), ${label(data.levels, m.flesch, true)}.`),
        el("p", { text: `${m.sentences} zinnen, gemiddeld ${m.wps.toFixed(1).replace(".", ",")} woorden per zin.` }));
      const parts = text.match(/[^.!?]+[.!?]*/gu) || [];
      marked.replaceChildren(...parts.map((sentence) => {
        const n = (sentence.match(/[\p{L}]+(?:-[\p{L}]+)*/gu) || []).length;
        const span = el("span", { class: n > data.longSentence ? "lp-long-sentence" : null });
        for (const piece of sentence.split(/([\p{L}]+(?:-[\p{L}]+)*)/u)) {
          const key = piece.toLowerCase();
          if (data.jargon[key]) {
            jargonFound[key] = data.jargon[key];
            span.append(el("mark", { class: "lp-jargon", title: `Liever: ${data.jargon[key]}`, text: piece }));
          } else if (/^\p{L}/u.test(piece) && syllables(key.replace(/-/g, "")) >= data.longWordSyllables) {
            span.append(el("mark", { class: "lp-long-word", text: piece }));
          } else {
            span.append(piece);
          }
        }
        return span;
      }));
      const tips = Object.entries(jargonFound);
      if (tips.length) scores.append(el("p", { text: "Eenvoudiger: " + tips.map(([k, v]) => `${k} → ${v}`).join(", ") + "." }));
    }
    loadPatterns().then(update, () => scores.replaceChildren(el("p", { text: "De woordenlijst voor lettergrepen kon niet laden. Ververs de pagina." })));
  }

  // ---- Krachtenkaart ----------------------------------------------------------------------
  function layout(entries, data) {
    const c = data.size / 2;
    return entries.map((entry) => {
      const same = entries.filter((e) => e.kind === entry.kind);
      const index = same.indexOf(entry);
      const angle = (data.kinds[entry.kind].start + 90 * (index + 1) / (same.length + 1)) * Math.PI / 180;
      const r = data.rings[entry.closeness];
      return [Math.round((c + r * Math.cos(angle)) * 10) / 10, Math.round((c - r * Math.sin(angle)) * 10) / 10];
    });
  }

  function krachtenkaart(root, data) {
    // The map is kept in this browser (on the hub: per participant, beside her logbook's address).
    const KEY = "leerplein-krachtenkaart";
    const MAX_ENTRIES = 40;
    const example = () => ({ person: data.person, entries: data.entries.map((e) => ({ ...e })) });
    const text = (value, max) => String(value ?? "").trim().slice(0, max);
    function clean(raw) {
      const entries = (Array.isArray(raw?.entries) ? raw.entries : []).slice(0, MAX_ENTRIES)
        .filter((e) => e && text(e.name, 40) && data.kinds[e.kind] && data.closeness[e.closeness])
        .map((e) => ({ name: text(e.name, 40), kind: e.kind, closeness: Number(e.closeness), strength: text(e.strength, 120) }));
      return { person: text(raw?.person, 40) || "Ik", entries };
    }
    const saved = loadStored(KEY);
    let map = saved ? clean(saved) : example();
    let editing = -1;
    const NS = "http://www.w3.org/2000/svg";
    const svgEl = (tag, attrs, content) => {
      const node = document.createElementNS(NS, tag);
      for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
      if (content) node.textContent = content;
      return node;
    };
    const picture = el("div", { class: "lp-map" });
    const list = el("ul", { class: "lp-list", "aria-label": "De kaart als lijst" });
    const person = el("input", { type: "text", autocomplete: "off", maxlength: 40 });
    person.value = map.person;
    const name = el("input", { type: "text", autocomplete: "off", maxlength: 40 });
    const strength = el("input", { type: "text", autocomplete: "off", maxlength: 120 });
    const kind = el("select", {}, Object.entries(data.kinds).map(([k, v]) => el("option", { value: k, text: v.label })));
    const close = el("select", {}, Object.entries(data.closeness).map(([k, v]) => el("option", { value: k, text: v, selected: k === "2" })));
    const message = el("p", { role: "status", "aria-live": "polite", class: "lp-note" });
    const legend = el("legend", { text: "Voeg iemand of iets toe" });
    const submit = el("button", { type: "submit", class: "lp-button", text: "Toevoegen" });
    const stopEditing = el("button", { type: "button", class: "lp-button lp-secondary", text: "Stoppen met wijzigen", hidden: true,
      onclick: () => { edit(-1); message.textContent = "Er is niets gewijzigd."; } });
    const form = el("form", { class: "lp-form" },
      el("fieldset", {}, legend,
        labelled("Naam", name), labelled("Soort", kind), labelled("Hoe dichtbij", close),
        labelled("Wat kan deze persoon of plek bijdragen?", strength), submit, stopEditing));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const entry = { name: text(name.value, 40), kind: kind.value, closeness: Number(close.value), strength: text(strength.value, 120) };
      if (!entry.name) { message.textContent = "Geef een naam op."; name.focus(); return; }
      if (editing >= 0) {
        const old = map.entries[editing].name;
        map.entries[editing] = entry;
        message.textContent = old === entry.name ? `${entry.name} is gewijzigd.` : `${old} heet nu ${entry.name}.`;
      } else {
        if (map.entries.length >= MAX_ENTRIES) { message.textContent = `Er passen ${MAX_ENTRIES} namen op de kaart.`; return; }
        map.entries.push(entry);
        message.textContent = `${entry.name} is toegevoegd.`;
      }
      edit(-1);
      changed();
    });
    person.addEventListener("input", () => { map.person = text(person.value, 40) || "Ik"; changed(); });
    const startEmpty = el("button", { type: "button", class: "lp-button lp-secondary", text: "Begin met een lege kaart",
      onclick: () => { map = { person: "Ik", entries: [] }; person.value = ""; edit(-1); changed();
        message.textContent = "De kaart is leeg. Vul in wiens kaart het is en voeg mensen, groepen, organisaties en plekken toe."; person.focus(); } });
    const showExample = el("button", { type: "button", class: "lp-button lp-secondary", text: `Voorbeeld van ${data.person}`,
      onclick: () => { map = example(); person.value = map.person; edit(-1); changed(); message.textContent = `Je ziet weer het voorbeeld van ${data.person}.`; } });
    const download = el("button", { type: "button", class: "lp-button", text: "Download als afbeelding (SVG)", onclick: () => save("svg") });
    const downloadPng = el("button", { type: "button", class: "lp-button", text: "Download als afbeelding (PNG)", onclick: () => save("png") });
    root.append(el("div", { class: "lp-choices" }, startEmpty, showExample), labelled("Wiens kaart is dit?", person),
      picture, el("h4", { text: "Lijst" }), list, form, message,
      el("p", { class: "lp-note", text: "Je kaart blijft bewaard in deze browser. Wil je hem bewaren of delen? Download hem als afbeelding." }),
      el("div", { class: "lp-choices" }, download, downloadPng));

    function edit(index) {
      editing = index;
      const entry = map.entries[index];
      legend.textContent = entry ? `Wijzig ${entry.name}` : "Voeg iemand of iets toe";
      submit.textContent = entry ? "Wijziging bewaren" : "Toevoegen";
      stopEditing.hidden = !entry;
      name.value = entry ? entry.name : "";
      strength.value = entry ? entry.strength : "";
      if (entry) { kind.value = entry.kind; close.value = String(entry.closeness); name.focus(); }
    }

    function changed() {
      store(KEY, map);  // when the browser refuses, the map stays on screen only
      draw();
    }

    function describe() {
      const parts = Object.entries(data.kinds).map(([k, v]) => {
        const names = map.entries.filter((e) => e.kind === k).map((e) => `${e.name} (${data.closeness[e.closeness]})`);
        return names.length ? `${v.label}: ${names.join(", ")}` : null;
      }).filter(Boolean);
      return map.entries.length ? `Krachtenkaart van ${map.person}. ${parts.join(". ")}.` : `De krachtenkaart van ${map.person} is nog leeg.`;
    }

    const LEGEND_HEIGHT = 108;
    function svg() {
      const c = data.size / 2;
      const height = data.size + LEGEND_HEIGHT;
      const root = svgEl("svg", { xmlns: NS, viewBox: `0 0 ${data.size} ${height}`, width: data.size, height,
        role: "img", "aria-label": describe(), "font-family": "DejaVu Sans, sans-serif" });
      root.append(svgEl("rect", { width: data.size, height, fill: "#ffffff" }));
      for (const r of Object.values(data.rings)) root.append(svgEl("circle", { cx: c, cy: c, r, fill: "none", stroke: "#999", "stroke-dasharray": "4 4" }));
      const positions = layout(map.entries, data);
      map.entries.forEach((e, i) => root.append(svgEl("line", { x1: c, y1: c, x2: positions[i][0], y2: positions[i][1], stroke: data.kinds[e.kind].colour, "stroke-width": 4 - e.closeness })));
      root.append(svgEl("circle", { cx: c, cy: c, r: 34, fill: "#222" }), svgEl("text", { x: c, y: c + 5, "text-anchor": "middle", fill: "#fff", "font-size": 14 }, map.person));
      map.entries.forEach((e, i) => {
        const [x, y] = positions[i];
        root.append(svgEl("circle", { cx: x, cy: y, r: 9, fill: data.kinds[e.kind].colour, class: "lp-node", "data-name": e.name }),
          svgEl("text", { x, y: y - 14, "text-anchor": "middle", "font-size": 12, fill: "#111" }, e.name));
      });
      // the legend, so a downloaded picture explains itself
      const top = data.size + 8;
      const legendBox = svgEl("g", { class: "lp-map-legend", "font-size": 13, fill: "#111" });
      legendBox.append(svgEl("line", { x1: 16, y1: top - 4, x2: data.size - 16, y2: top - 4, stroke: "#ccc" }));
      Object.values(data.kinds).forEach((k, i) => {
        const x = 24 + (i % 2) * (data.size / 2);
        const y = top + 18 + Math.floor(i / 2) * 22;
        legendBox.append(svgEl("circle", { cx: x, cy: y - 4, r: 7, fill: k.colour }), svgEl("text", { x: x + 14, y }, k.label));
      });
      const rings = Object.values(data.closeness);
      legendBox.append(svgEl("text", { x: 24, y: top + 72 }, `Ringen van binnen naar buiten: ${rings.join(", ")}.`),
        svgEl("text", { x: 24, y: top + 92 }, "Hoe dikker de lijn, hoe dichterbij."));
      root.append(legendBox);
      return root;
    }

    function draw() {
      picture.replaceChildren(svg());
      list.replaceChildren(...map.entries.map((e, i) => el("li", {},
        `${e.name}: ${data.kinds[e.kind].label.toLowerCase()}, ${data.closeness[e.closeness]}${e.strength ? ` (${e.strength})` : ""} `,
        el("button", { type: "button", class: "lp-link-button", text: `Wijzig ${e.name}`, onclick: () => edit(i) }), " ",
        el("button", { type: "button", class: "lp-link-button", text: `Verwijder ${e.name}`,
          onclick: () => { map.entries.splice(i, 1); edit(-1); message.textContent = `${e.name} is verwijderd.`; changed(); } }))));
      if (!map.entries.length) list.append(el("li", { text: "Nog niemand op de kaart. Voeg hieronder iemand of iets toe." }));
    }

    function save(format) {
      const markup = new XMLSerializer().serializeToString(svg());
      const slug = map.person.toLowerCase().normalize("NFD").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "kaart";
      const fileName = `krachtenkaart-${slug}.${format}`;
      const finish = (blob) => {
        const a = el("a", { href: URL.createObjectURL(blob), download: fileName });
        document.body.append(a); a.click(); a.remove();
        message.textContent = `De kaart is opgeslagen als ${fileName}.`;
      };
      if (format === "svg") { finish(new Blob([markup], { type: "image/svg+xml" })); return; }
      // a data: address, not blob:: the student view's content security policy allows data: images
      const img = new Image();
      img.onload = () => {
        const canvas = el("canvas", { width: img.width, height: img.height });
        canvas.getContext("2d").drawImage(img, 0, 0);
        canvas.toBlob((png) => (png ? finish(png) : failed()), "image/png");
      };
      const failed = () => { message.textContent = "Opslaan als PNG lukte niet. Probeer 'Download als afbeelding (SVG)'."; };
      img.onerror = failed;
      img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(markup)}`;
    }
    draw();
  }

  // ---- Netwerkwijzer ----------------------------------------------------------------------
  function netwerkwijzer(root, data) {
    const boxes = Object.entries(data.questions).map(([k, v]) => checkbox(v, k, update));
    const search = el("input", { type: "search", autocomplete: "off", oninput: update });
    const result = el("div", { class: "lp-result", role: "status", "aria-live": "polite" });
    root.append(el("fieldset", {}, el("legend", { text: "Waar gaat de vraag over?" }), boxes), labelled("Zoek een partner", search), result);
    // Partners for ANY ticked need (same rule as leerplein.interactives.partners.partners_for):
    // those that help with more of the needs first, then by name.
    function update() {
      const chosen = boxes.map((b) => b.querySelector("input")).filter((i) => i.checked).map((i) => i.value);
      const needle = search.value.trim().toLowerCase();
      const matches = (p) => chosen.filter((q) => p.vragen.includes(q)).length;
      const found = data.partners.filter((p) => (!chosen.length || matches(p) > 0) &&
        (!needle || `${p.naam} ${p.wat}`.toLowerCase().includes(needle)))
        .sort((a, b) => matches(b) - matches(a) || (a.naam.toLowerCase() < b.naam.toLowerCase() ? -1 : 1));
      if (!found.length) {
        result.replaceChildren(el("p", { text: "Geen partner gevonden. Zoek op een ander woord." }));
        return;
      }
      const intro = chosen.length ? `${found.length} partners helpen bij minstens een van de gekozen vragen. Bovenaan: wie bij de meeste helpt.` : `${found.length} partners`;
      result.replaceChildren(el("p", { text: intro }), el("ul", { class: "lp-partners" }, found.map((p) => {
        const helps = chosen.filter((q) => p.vragen.includes(q)).map((q) => data.questions[q]);
        return el("li", {}, el("strong", { text: p.naam }), `: ${p.wat}`,
          helps.length ? [el("br"), el("em", { text: "Helpt bij: " }), helps.join("; ")] : null,
          el("br"), el("em", { text: "Warm verwijzen: " }), p.warm_verwijzen,
          p.bron ? [el("br"), el("small", { text: `Bron: ${p.bron}` })] : null);
      })));
    }
    update();
  }

  // ---- Kennischeck ------------------------------------------------------------------------
  function kennischeck(root, data) {
    for (const q of data.questions) {
      const name = nextId("lp-q");
      const feedback = el("p", { class: "lp-feedback", role: "status", "aria-live": "polite" });
      const options = q.opties.map((text, i) => {
        const id = `${name}-${i}`;
        return el("div", { class: "lp-check" },
          el("input", { type: "radio", name, id, value: i, onchange: () => {
            const right = i === q.goed;
            feedback.textContent = (right ? "Goed! " : "Nog niet. ") + q.uitleg[i];
            feedback.className = right ? "lp-feedback lp-right" : "lp-feedback lp-wrong";
          } }),
          el("label", { for: id, text: text }));
      });
      root.append(el("fieldset", { class: "lp-quiz" }, el("legend", { text: q.vraag }), options, feedback));
    }
  }


  // ---- Actieleerlogboek ---------------------------------------------------------------------
  // In the book it is kept in this browser only (localStorage); in the student view on the hub
  // (body[data-logboek]) in the participant's own folder. Export and import as a file.
  function actieleerlogboek(root, data) {
    const KEY = "leerplein-actieleerlogboek";
    const server = document.body.dataset.logboek || "";
    const empty = () => ({ versie: 1, ...Object.fromEntries(Object.keys(data.top).map((k) => [k, ""])),
      weken: Array.from({ length: data.weeks }, () => Object.fromEntries(Object.keys(data.week).map((k) => [k, ""]))) });
    let book = empty();
    const status = el("p", { class: "lp-feedback", role: "status", "aria-live": "polite" });
    const controls = {};

    function area(label, value, onInput) {
      const box = el("textarea", { rows: 3, maxlength: data.max, oninput: (e) => { onInput(e.target.value); later(); } });
      box.value = value;
      return [labelled(label, box), box];
    }
    function clean(raw) {
      const out = empty();
      if (!raw || typeof raw !== "object") throw new Error("Dit bestand is geen actieleerlogboek.");
      for (const k of Object.keys(data.top)) out[k] = String(raw[k] || "").slice(0, data.max);
      (Array.isArray(raw.weken) ? raw.weken : []).slice(0, data.weeks).forEach((w, i) => {
        for (const k of Object.keys(data.week)) out.weken[i][k] = String((w || {})[k] || "").slice(0, data.max);
      });
      return out;
    }
    let timer = null;
    function later() { clearTimeout(timer); timer = setTimeout(store, 700); }
    async function store() {
      if (!server) {
        try { localStorage.setItem(KEY, JSON.stringify(book)); status.textContent = "Bewaard in deze browser."; }
        catch (e) { status.textContent = "Bewaren lukt niet in deze browser. Bewaar je logboek als bestand."; }
        return;
      }
      try {
        const r = await fetch(server, { method: "POST", credentials: "same-origin", body: JSON.stringify(book),
          headers: { "Content-Type": "application/json", "X-XSRFToken": document.body.dataset.xsrf || "" } });
        const answer = await r.json().catch(() => ({}));
        status.textContent = r.ok ? "Bewaard in je eigen map op Leerplein." : (answer.melding || "Bewaren is niet gelukt. Probeer het opnieuw.");
      } catch (e) { status.textContent = "Bewaren is niet gelukt: geen verbinding. Je tekst staat nog op het scherm."; }
    }
    function fill() {
      for (const k of Object.keys(data.top)) controls[k].value = book[k];
      book.weken.forEach((w, i) => { for (const k of Object.keys(data.week)) controls[`${i}.${k}`].value = w[k]; });
      printable();
    }
    const printView = el("div", { class: "lp-logboek-print" });
    function printable() {
      printView.replaceChildren(el("h3", { text: "Mijn actieleerlogboek" }));
      for (const [k, label] of Object.entries(data.top)) printView.append(el("h4", { text: label }), el("p", { text: book[k] || "-" }));
      book.weken.forEach((w, i) => {
        printView.append(el("h4", { text: `Week ${i + 1}` }));
        for (const [k, label] of Object.entries(data.week)) printView.append(el("p", { text: `${label.split(":")[0]}: ${w[k] || "-"}` }));
      });
    }
    const [vraagstuk, v1] = area(data.top.vraagstuk, "", (v) => { book.vraagstuk = v; });
    const [kennis, v2] = area(data.top.kennis, "", (v) => { book.kennis = v; });
    controls.vraagstuk = v1; controls.kennis = v2;
    const weeks = book.weken.map((_, i) => {
      const fields = Object.entries(data.week).map(([k, label]) => {
        const [field, box] = area(label, "", (v) => { book.weken[i][k] = v; });
        controls[`${i}.${k}`] = box;
        return field;
      });
      return el("details", { class: "lp-week", open: i === 0 }, el("summary", { text: `Week ${i + 1}` }), fields);
    });
    const [reflectie, v3] = area(data.top.reflectie, "", (v) => { book.reflectie = v; });
    controls.reflectie = v3;
    const fileInput = el("input", { type: "file", accept: ".json,application/json", class: "lp-file", onchange: async (e) => {
      const file = e.target.files[0];
      if (!file) return;
      if (file.size > 200000) { status.textContent = "Dit bestand is te groot voor een actieleerlogboek."; return; }
      try { book = clean(JSON.parse(await file.text())); fill(); await store(); status.textContent = "Je logboek is ingelezen en bewaard."; }
      catch (err) { status.textContent = "Dit bestand kan niet worden ingelezen. Kies het bestand dat je eerder met 'Bewaren als bestand' hebt gemaakt."; }
      e.target.value = "";
    } });
    const buttons = el("div", { class: "lp-buttons" },
      el("button", { type: "button", text: "Bewaren als bestand", onclick: () => {
        const blob = new Blob([JSON.stringify(book, null, 1)], { type: "application/json" });
        const link = el("a", { href: URL.createObjectURL(blob), download: "actieleerlogboek.json" });
        document.body.append(link); link.click(); link.remove();
      } }),
      el("span", { class: "lp-file-pick" }, fileInput,
        el("label", { for: fileInput.id = nextId("lp-file"), class: "lp-file-label", text: "Een bewaard logboek inlezen…" })),
      el("button", { type: "button", text: "Afdrukken", onclick: () => { printable(); window.print(); } }));
    root.append(el("p", { class: "lp-note", text: server
      ? "Je logboek wordt bewaard in je eigen map op Leerplein. Alleen jij kunt het lezen."
      : "Je logboek blijft in deze browser. Wissel je van computer? Bewaar het dan als bestand en lees het daar in." }),
      vraagstuk, kennis, ...weeks, reflectie, buttons, status, printView);
    (async () => {
      try {
        if (server) {
          // JupyterHub accepts its login cookie on a script's request only with the XSRF token
          const r = await fetch(server, { credentials: "same-origin",
            headers: { "X-XSRFToken": document.body.dataset.xsrf || "" } });
          if (r.ok) book = clean(await r.json());
        } else {
          const saved = localStorage.getItem(KEY);
          if (saved) book = clean(JSON.parse(saved));
        }
      } catch (e) { /* start empty */ }
      fill();
    })();
  }

  // ---- Zelfscan (intake) --------------------------------------------------------------------
  // The advice for every role and answer pattern is computed in Python (leerplein.interactives.
  // zelfscan); this only looks it up, so the rules live in one place.
  function zelfscan(root, data) {
    const roleName = nextId("lp-rol");
    const roles = Object.entries(data.rollen).map(([key, naam], i) => {
      const id = `${roleName}-${i}`;
      return el("div", { class: "lp-check" }, el("input", { type: "radio", name: roleName, id, value: key, onchange: update }),
        el("label", { for: id, text: naam }));
    });
    const statements = Object.entries(data.stellingen).map(([key, tekst]) => {
      const name = nextId("lp-stelling");
      const options = data.schaal.map((label, i) => {
        const id = `${name}-${i}`;
        return el("span", { class: "lp-check lp-inline" }, el("input", { type: "radio", name, id, value: i + 1, onchange: update }),
          el("label", { for: id, text: label }));
      });
      return [key, name, el("fieldset", { class: "lp-quiz" }, el("legend", { text: tekst }), options)];
    });
    const result = el("div", { class: "lp-result", role: "status", "aria-live": "polite" });
    root.append(el("fieldset", { class: "lp-quiz" }, el("legend", { text: "Wat is je rol?" }), roles),
      el("p", { text: "Hoe goed klopt dit voor jou nu?" }), ...statements.map((s) => s[2]), result,
      el("p", { class: "lp-note", text: document.body.dataset.zelfscan ? "Je keuzes blijven bewaard in je eigen map op Leerplein, ook als je naar een pagina gaat en terugkomt."
        : "Je keuzes blijven bewaard in deze browser, ook als je naar een pagina gaat en terugkomt." }));
    // the last answers come back (the walkthrough lost them after "Begin hier" and back)
    // on the hub (body[data-zelfscan]) they are kept in her own folder too, for any device
    const server = document.body.dataset.zelfscan || "";
    function apply(saved) {
      if (!saved || typeof saved !== "object") return;
      const pick = (name, value) => { const i = root.querySelector(`input[name="${name}"][value="${CSS.escape(String(value))}"]`); if (i) i.checked = true; };
      if (data.rollen[saved.rol]) pick(roleName, saved.rol);
      for (const [key, name] of statements) if (saved.antwoorden && saved.antwoorden[key]) pick(name, saved.antwoorden[key]);
    }
    apply(loadStored("leerplein-zelfscan"));
    if (server) {  // the page carries what her folder holds (body[data-zelfscan-keuzes])
      try { const kept = JSON.parse(document.body.dataset.zelfscanKeuzes || "null"); if (kept && kept.rol) apply(kept); }
      catch (e) { /* nothing kept yet */ }
    }
    function remember(role) {
      const antwoorden = {};
      for (const [key, name] of statements) {
        const chosen = root.querySelector(`input[name="${name}"]:checked`);
        if (chosen) antwoorden[key] = Number(chosen.value);
      }
      store("leerplein-zelfscan", { rol: role ? role.value : "", antwoorden });
      if (server) {  // one save at a time, the last choices after a short pause (ticking fast sends one)
        pending = JSON.stringify({ rol: role ? role.value : "", antwoorden });
        clearTimeout(timer);
        timer = setTimeout(send, 700);
      }
    }
    let pending = null, timer = null, sending = false;
    function send() {
      if (sending || pending === null) return;
      const body = pending;
      pending = null;
      sending = true;
      fetch(server, { method: "POST", credentials: "same-origin", body,
        headers: { "Content-Type": "application/json", "X-XSRFToken": document.body.dataset.xsrf || "" } })
        .catch(() => {}).finally(() => { sending = false; if (pending !== null) send(); });
    }
    function update(event) {
      const role = root.querySelector(`input[name="${roleName}"]:checked`);
      if (event) remember(role);
      if (!role) {
        result.replaceChildren(el("p", { text: "Kies eerst je rol. Daarna zie je je leerpad." }));
        return;
      }
      const pattern = statements.map(([, name]) => {
        const chosen = root.querySelector(`input[name="${name}"]:checked`);
        return chosen && Number(chosen.value) <= data.focus_onder ? "1" : "0";
      }).join("");
      const steps = data.advies[`${role.value}:${pattern}`] || [];
      result.replaceChildren(el("p", { text: `Jouw leerpad als ${data.rollen[role.value]}: ${steps.length} pagina's.` }),
        el("ol", {}, steps.map(([page, focus]) => el("li", {}, focus ? el("strong", { text: "Begin hier: " }) : "",
          el("a", { href: data.paginas[page].href, text: data.paginas[page].titel })))));
    }
    update();
  }

  const TOOLS = { rondkomen, schaarste, leesbaarheid, krachtenkaart, netwerkwijzer, kennischeck, actieleerlogboek, zelfscan };

  function start() {
    document.querySelectorAll("section.lp-interactive").forEach((root) => {
      const tool = TOOLS[root.dataset.tool];
      const dataNode = root.querySelector("script.lp-data");
      if (!tool || !dataNode || root.dataset.ready) return;
      root.querySelector(".lp-fallback")?.remove();
      tool(root, JSON.parse(dataNode.textContent));
      root.dataset.ready = "true";
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
