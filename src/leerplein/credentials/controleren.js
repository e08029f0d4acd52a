// Badge check in the browser: nothing about the badge leaves this page. The signature is checked
// with jose (vendored from npm) against the institute's public key that the page carries; the
// revocation bit comes from status.json beside this page, itself signed with the same key.
// Everything from the badge is shown with textContent, never as HTML.
import { compactVerify, importJWK } from "./jose/index.js";

const config = JSON.parse(document.getElementById("instituut").textContent);
const uitslag = document.getElementById("uitslag");
const BADGE_KEYWORDS = ["openbadgecredential", "openbadges"];
const text = new TextDecoder();
const MAX_FILE = 5 * 1024 * 1024; // a badge is a small picture; refuse anything larger unread
const MAX_TEXT = 1024 * 1024; // and never inflate a compressed badge beyond this

class Oordeel extends Error {
  constructor(soort, titel, uitleg) {
    super(titel);
    this.soort = soort;
    this.uitleg = uitleg;
  }
}

function fromBase64url(value) {
  const b64 = value.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (value.length % 4)) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

async function inflate(bytes, format, limit = MAX_TEXT) {
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream(format)).getReader();
  const parts = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      throw new Oordeel("geen-badge", "Geen badge gevonden", "De inhoud van dit bestand is te groot voor een badge.");
    }
    parts.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) { out.set(part, at); at += part.length; }
  return out;
}

function badgeChunks(bytes) {
  const signature = [137, 80, 78, 71, 13, 10, 26, 10];
  if (bytes.length < 8 || !signature.every((b, i) => bytes[i] === b)) {
    throw new Oordeel("geen-badge", "Geen badge gevonden", "Dit bestand is geen PNG-afbeelding.");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = [];
  let pos = 8;
  while (pos + 8 <= bytes.length) {
    const length = view.getUint32(pos);
    const type = text.decode(bytes.subarray(pos + 4, pos + 8));
    const body = bytes.subarray(pos + 8, pos + 8 + length);
    if (type === "iTXt" || type === "tEXt" || type === "zTXt") {
      const nul = body.indexOf(0);
      const keyword = text.decode(body.subarray(0, nul < 0 ? 0 : nul));
      if (BADGE_KEYWORDS.includes(keyword)) found.push({ type, keyword, body: body.subarray(nul + 1) });
    }
    pos += 12 + length;
    if (type === "IEND") break;
  }
  return found;
}

async function tokenOf(chunk) {
  if (chunk.type !== "iTXt" || chunk.keyword !== "openbadgecredential") {
    throw new Oordeel("geen-badge", "Geen badge gevonden",
      "Dit bestand bevat een badge van een ouder soort (Open Badges 2.0). Deze pagina controleert Open Badges 3.0.");
  }
  const body = chunk.body;
  let rest = body.subarray(2);
  rest = rest.subarray(rest.indexOf(0) + 1); // language tag
  rest = rest.subarray(rest.indexOf(0) + 1); // translated keyword
  if (body[0]) rest = await inflate(rest, "deflate");
  return text.decode(rest).trim();
}

function part(token, index) {
  return JSON.parse(text.decode(fromBase64url(token.split(".")[index])));
}

function datum(value) {
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? "onbekend" : d.toLocaleDateString("nl-NL", { day: "numeric", month: "long", year: "numeric" });
}

async function checkSignature(token, key) {
  let header;
  try {
    header = part(token, 0);
  } catch {
    throw new Oordeel("geen-badge", "Geen badge gevonden", "De badge in dit bestand is beschadigd.");
  }
  try {
    if (header.alg !== "EdDSA") throw new Error("alg");
    return JSON.parse(text.decode((await compactVerify(token, key, { algorithms: ["EdDSA"] })).payload));
  } catch {
    const theirs = header.jwk || {};
    if (theirs.x && theirs.x !== config.jwk.x) {
      throw new Oordeel("andere-sleutel", "Niet geldig: niet door " + config.naam + " uitgegeven",
        "Deze badge is ondertekend met een andere sleutel dan die van " + config.naam + ".");
    }
    if (theirs.x) {
      throw new Oordeel("veranderd", "Niet geldig: de badge is veranderd",
        "De handtekening past niet bij de inhoud. Iemand heeft de badge na de uitgifte veranderd.");
    }
    throw new Oordeel("andere-sleutel", "Niet geldig: niet door " + config.naam + " ondertekend",
      "Deze badge is niet ondertekend met de sleutel van " + config.naam + ". Hij is niet door ons uitgegeven, " +
      "of hij is na de uitgifte veranderd.");
  }
}

function checkDates(claims) {
  const now = Date.now();
  const until = claims.validUntil ? Date.parse(claims.validUntil) : claims.exp ? claims.exp * 1000 : null;
  const from = claims.validFrom ? Date.parse(claims.validFrom) : claims.nbf ? claims.nbf * 1000 : null;
  if (until !== null && (Number.isNaN(until) || until < now)) {
    throw new Oordeel("verlopen", "Niet geldig: de badge is verlopen",
      "Deze badge was geldig tot " + datum(until) + ".");
  }
  if (from !== null && (Number.isNaN(from) || from > now + 5 * 60 * 1000)) {
    throw new Oordeel("nog-niet", "Niet geldig: de badge is nog niet geldig", "Hij geldt pas vanaf " + datum(from) + ".");
  }
}

async function checkRevocation(claims, key) {
  const entries = [].concat(claims.credentialStatus || []);
  const entry = entries.find((e) => e.statusPurpose === "revocation");
  if (!entry) return "Deze badge kan niet worden ingetrokken.";
  if (entry.statusListCredential !== config.statusUrl) {
    throw new Oordeel("lijst-onbekend", "Niet gecontroleerd: onbekende intrekkingslijst",
      "Deze badge verwijst naar een andere intrekkingslijst dan die van " + config.naam + ".");
  }
  let list;
  try {
    const answer = await fetch("status.json", { cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer" });
    if (!answer.ok) throw new Error(String(answer.status));
    list = (await answer.text()).trim();
  } catch {
    throw new Oordeel("lijst-onbekend", "Niet volledig gecontroleerd",
      "De intrekkingslijst (status.json) kon niet worden gelezen. De handtekening klopt wel; vraag " + config.naam +
      " of de badge is ingetrokken.");
  }
  let listClaims;
  try {
    listClaims = JSON.parse(text.decode((await compactVerify(list, key, { algorithms: ["EdDSA"] })).payload));
  } catch {
    throw new Oordeel("lijst-onbekend", "Niet volledig gecontroleerd",
      "De intrekkingslijst naast deze pagina is niet door " + config.naam + " ondertekend.");
  }
  const encoded = (listClaims.credentialSubject || {}).encodedList || "";
  const index = Number.parseInt(entry.statusListIndex, 10);
  const bits = await inflate(fromBase64url(encoded.replace(/^u/, "")), "gzip");
  if (listClaims.id !== config.statusUrl || !(index >= 0) || index >= bits.length * 8) {
    throw new Oordeel("lijst-onbekend", "Niet volledig gecontroleerd", "De intrekkingslijst past niet bij deze badge.");
  }
  if (bits[index >> 3] & (0x80 >> (index % 8))) {
    throw new Oordeel("ingetrokken", "Niet geldig: de badge is ingetrokken", config.naam + " heeft deze badge ingetrokken.");
  }
  return "Gecontroleerd met de intrekkingslijst: niet ingetrokken.";
}

async function holder(claims, email) {
  const ids = (claims.credentialSubject || {}).identifier || [];
  const mail = ids.find((i) => i.identityType === "emailAddress");
  if (!email) {
    return mail ? "Aangeduid met een versleuteld e-mailadres. Vul het e-mailadres in om te zien of het klopt."
      : "Aangeduid met een versleutelde gebruikersnaam bij het instituut (geen e-mailadres).";
  }
  if (!mail) return "Deze badge noemt geen e-mailadres; vraag het instituut wie de houder is.";
  const data = new TextEncoder().encode(email.trim().toLowerCase() + (mail.salt || ""));
  const hex = [...new Uint8Array(await crypto.subtle.digest("SHA-256", data))].map((b) => b.toString(16).padStart(2, "0")).join("");
  if (mail.identityHash !== "sha256$" + hex) {
    throw new Oordeel("andere-houder", "Niet van deze persoon", "De badge is echt, maar hij hoort niet bij " + email + ".");
  }
  return "Het e-mailadres " + email + " klopt.";
}

function show(soort, titel, uitleg, rows = []) {
  const box = document.createElement("section");
  box.className = "oordeel " + (soort === "geldig" ? "geldig" : "ongeldig");
  box.dataset.oordeel = soort;
  const h = document.createElement("h2");
  h.textContent = titel;
  const p = document.createElement("p");
  p.textContent = uitleg;
  box.append(h, p);
  if (rows.length) {
    const dl = document.createElement("dl");
    for (const [term, value] of rows) {
      const dt = document.createElement("dt");
      dt.textContent = term;
      const dd = document.createElement("dd");
      dd.textContent = value;
      dl.append(dt, dd);
    }
    box.append(dl);
  }
  uitslag.replaceChildren(box);
}

async function check(file) {
  show("bezig", "Bezig met controleren…", file.name);
  try {
    if (file.size > MAX_FILE) throw new Oordeel("geen-badge", "Geen badge gevonden", "Dit bestand is te groot voor een badge.");
    const bytes = new Uint8Array(await file.arrayBuffer());
    const chunks = badgeChunks(bytes);
    if (chunks.length === 0) throw new Oordeel("geen-badge", "Geen badge gevonden", "In dit bestand zit geen badge.");
    if (chunks.length > 1) {
      throw new Oordeel("meer-badges", "Niet geldig: meer dan één badge",
        "Dit bestand bevat " + chunks.length + " badges. Een echte badge bevat er precies één. Vraag de houder om de badge zoals het instituut hem gaf.");
    }
    const token = await tokenOf(chunks[0]);
    const key = await importJWK(config.jwk, "EdDSA");
    const claims = await checkSignature(token, key);
    checkDates(claims);
    const revocation = await checkRevocation(claims, key);
    const who = await holder(claims, document.getElementById("email").value);
    const achievement = (claims.credentialSubject || {}).achievement || {};
    const tags = (achievement.tag || []).filter((t) => /^(Studielast|EC|Niveau|Beoordeling|Deelname):/.test(t));
    show("geldig", "Geldig", "Deze badge is uitgegeven door " + config.naam + " en niet veranderd.", [
      ["Badge", achievement.name || ""],
      ["Uitgegeven op", datum(claims.validFrom)],
      ["Geldig tot", claims.validUntil ? datum(claims.validUntil) : "geen einddatum"],
      ["Intrekking", revocation],
      ["Houder", who],
      ...tags.map((t) => t.split(/:\s*/, 2)),
    ]);
  } catch (err) {
    if (err instanceof Oordeel) show(err.soort, err.message, err.uitleg);
    else show("geen-badge", "Geen badge gevonden", "Dit bestand kon niet worden gelezen als badge.");
  }
}

const input = document.getElementById("bestand");
const vak = document.getElementById("vak");
input.addEventListener("change", () => input.files[0] && check(input.files[0]));
vak.addEventListener("dragover", (event) => { event.preventDefault(); vak.classList.add("erboven"); });
vak.addEventListener("dragleave", () => vak.classList.remove("erboven"));
vak.addEventListener("drop", (event) => {
  event.preventDefault();
  vak.classList.remove("erboven");
  if (event.dataTransfer.files[0]) check(event.dataTransfer.files[0]);
});
document.getElementById("email").addEventListener("change", () => input.files[0] && check(input.files[0]));
document.body.dataset.klaar = "ja";
