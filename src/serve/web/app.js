// tipdex web page. The whole view is the URL's query string (shareable, back button works).
// Document text only ever reaches the page through textContent: highlights are byte ranges
// from the server, turned into <mark> elements here, never HTML from the server.
"use strict";

const PAGE_SIZE = 10;
const FILTERS = ["source", "tag", "lang", "year", "from", "to"];
const FACETS = ["source", "year", "tag", "lang"];
const WINDOW_BEFORE = 3;
const WINDOW = 12;

const $ = (id) => document.getElementById(id);
const el = (tag, props, ...children) => {
  const e = document.createElement(tag);
  Object.assign(e, props || {});
  for (const c of children) e.append(c);
  return e;
};

// ---- state <-> URL ----

function state() {
  return new URLSearchParams(location.search);
}

function go(params, replace) {
  for (const [k, v] of [...params]) if (v === "") params.delete(k);
  const url = params.toString() ? "/?" + params.toString() : "/";
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  render();
}

function withoutView(params) {
  params.delete("doc");
  params.delete("p");
  return params;
}

// ---- the API ----

async function api(path, params) {
  const url = path + (params && params.toString() ? "?" + params.toString() : "");
  const headers = {};
  const token = sessionStorage.getItem("tipdex-token");
  if (token) headers.Authorization = "Bearer " + token;
  const response = await fetch(url, { headers });
  if (response.status === 401) {
    const given = window.prompt("This server needs its access token:");
    if (given) {
      sessionStorage.setItem("tipdex-token", given);
      return api(path, params);
    }
  }
  const body = await response.json();
  if (!response.ok) throw new Error(body.message || response.statusText);
  return body;
}

function apiFilters(params) {
  const out = new URLSearchParams();
  for (const name of FILTERS) for (const v of params.getAll(name)) out.append(name, v);
  return out;
}

// ---- text with highlights ----

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// Append `text` to `parent`, with the byte ranges `highlights` in <mark>.
function highlighted(parent, text, highlights) {
  const bytes = encoder.encode(text);
  let at = 0;
  for (const h of highlights || []) {
    if (h.start < at || h.end > bytes.length) continue;
    parent.append(decoder.decode(bytes.subarray(at, h.start)));
    parent.append(el("mark", { textContent: decoder.decode(bytes.subarray(h.start, h.end)) }));
    at = h.end;
  }
  parent.append(decoder.decode(bytes.subarray(at)));
  return parent;
}

function dateText(date, precision) {
  if (!date) return "undated";
  return precision && precision !== "day" ? `${date} (${precision})` : date;
}

function metaLine(d) {
  const parts = [dateText(d.date, d.date_precision), d.source || "unknown source"];
  if (d.language) parts.push(d.language);
  if (d.tags && d.tags.length) parts.push(d.tags.join(", "));
  return parts.join(" · ");
}

// ---- rendering ----

function message(text) {
  $("message").hidden = !text;
  $("message").textContent = text || "";
}

async function render() {
  const params = state();
  $("q").value = params.get("q") || "";
  $("from").value = params.get("from") || "";
  $("to").value = params.get("to") || "";
  message("");
  const doc = params.get("doc");
  $("document").hidden = !doc;
  for (const id of ["summary", "results", "pager"]) $(id).hidden = !!doc;
  try {
    if (doc) await renderDocument(params, doc);
    else await renderResults(params);
  } catch (e) {
    message(e.message);
  }
}

async function renderResults(params) {
  const offset = Math.max(0, parseInt(params.get("offset") || "0", 10) || 0);
  const query = apiFilters(params);
  query.set("q", params.get("q") || "");
  query.set("limit", PAGE_SIZE);
  query.set("offset", offset);
  query.set("passages", 2);
  query.set("facets", "all");
  const answer = await api("/api/search", query);
  renderFacets(params, answer.facets || {});
  // The page lists one hit per text (reprints under it), so it pages through distinct texts.
  const total = answer.total_distinct;
  const shown = answer.hits.length;
  const copies = answer.total_documents > total ? ` distinct texts in ${answer.total_documents} documents` : "";
  let summary = total === 0
    ? "No document matches."
    : `Documents ${offset + 1}–${offset + shown} of ${total}${copies} (${answer.took_ms.toFixed(0)} ms)`;
  for (const u of answer.unmatched || []) {
    summary += ` · “${u.word}”: no document` + (u.did_you_mean ? `; did you mean “${u.did_you_mean}”?` : "");
  }
  $("summary").textContent = summary;
  const list = $("results");
  list.replaceChildren();
  for (const hit of answer.hits) list.append(renderHit(params, hit));
  $("prev").disabled = offset === 0;
  $("next").disabled = offset + shown >= total;
  $("prev").onclick = () => { params.set("offset", Math.max(0, offset - PAGE_SIZE)); go(params); };
  $("next").onclick = () => { params.set("offset", offset + PAGE_SIZE); go(params); };
}

function docLink(params, id, ordinal) {
  const p = new URLSearchParams(params);
  p.set("doc", id);
  p.set("p", ordinal);
  const a = el("a", { href: "/?" + p.toString() });
  a.addEventListener("click", (e) => {
    if (e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    go(p);
  });
  return a;
}

function renderHit(params, hit) {
  const best = hit.passages[0];
  const title = docLink(params, hit.id, best ? best.ordinal : 0);
  title.textContent = hit.title;
  const item = el("li", { className: "hit" }, el("h3", {}, title));
  if (hit.context) item.append(el("div", { className: "context", textContent: hit.context }));
  item.append(el("div", { className: "meta", textContent: `${metaLine(hit)} · ${hit.matching_passages} matching passage${hit.matching_passages === 1 ? "" : "s"}` }));
  for (const p of hit.passages) {
    const link = highlighted(docLink(params, hit.id, p.ordinal), p.text, p.highlights);
    const block = el("p", { className: "passage" }, link);
    if (p.page) block.append(el("span", { className: "page", textContent: `p. ${p.page}` }));
    item.append(block);
  }
  return item;
}

function toggle(params, name, value) {
  const values = params.getAll(name);
  params.delete(name);
  for (const v of values) if (v !== value) params.append(name, v);
  if (!values.includes(value)) params.append(name, value);
  params.delete("offset");
  go(withoutView(params));
}

function renderFacets(params, facets) {
  for (const name of ["source", "tag", "lang"]) {
    const list = document.querySelector(`#facet-${name} ul`);
    list.replaceChildren();
    const chosen = params.getAll(name).map((v) => v.toLowerCase());
    for (const f of facets[name] || []) {
      const label = f.value === null ? "(unknown)" : (f.label || f.value);
      const button = el("button", { type: "button" },
        el("span", { textContent: label }), el("span", { className: "count", textContent: String(f.documents) }));
      button.setAttribute("aria-pressed", String(f.value !== null && chosen.includes(f.value.toLowerCase())));
      if (f.value === null) button.disabled = true;
      else button.addEventListener("click", () => toggle(params, name, f.value));
      list.append(el("li", {}, button));
    }
  }
  const histogram = document.querySelector("#facet-year .histogram");
  histogram.replaceChildren();
  const years = (facets.year || []).filter((f) => f.value !== null).sort((a, b) => a.value.localeCompare(b.value));
  const most = Math.max(1, ...years.map((f) => f.documents));
  const chosen = params.getAll("year");
  for (const f of years) {
    const bar = el("button", { type: "button", title: `${f.value}: ${f.documents} documents` });
    bar.setAttribute("aria-label", `${f.value}: ${f.documents} documents`);
    bar.setAttribute("aria-pressed", String(chosen.includes(f.value)));
    bar.style.height = `${Math.max(8, (100 * f.documents) / most)}%`;
    bar.addEventListener("click", () => toggle(params, "year", f.value));
    histogram.append(bar);
  }
  const range = $("facet-year").querySelector(".histogram-range") || el("div", { className: "histogram-range" });
  range.replaceChildren(el("span", { textContent: years.length ? years[0].value : "" }),
    el("span", { textContent: years.length ? years[years.length - 1].value : "" }));
  $("facet-year").append(range);
}

async function renderDocument(params, id) {
  const target = Math.max(0, parseInt(params.get("p") || "0", 10) || 0);
  const first = Math.max(0, target - WINDOW_BEFORE);
  const query = new URLSearchParams({ q: params.get("q") || "", from: first, count: WINDOW });
  const encoded = encodeURIComponent(id);
  const [record, window_] = await Promise.all([
    api(`/api/documents/${encoded}`),
    api(`/api/documents/${encoded}/passages`, query),
  ]);
  const meta = record.metadata || {};
  const value = (f) => (meta[f] && meta[f].value) || null;
  $("doc-title").textContent = window_.title;
  const date = value("date");
  const precision = date ? ({ 4: "year", 7: "month" })[String(date).length] || "day" : null;
  $("doc-meta").textContent = [
    dateText(date ? String(date) : null, precision),
    value("source") || "unknown source",
    `${window_.total_passages} passage${window_.total_passages === 1 ? "" : "s"}`,
  ].join(" · ");
  // Every metadata field with the rule that decided it, so a reader can trust or fix it.
  const fields = $("doc-fields");
  fields.replaceChildren(el("dt", { textContent: "path" }), el("dd", { textContent: record.path }));
  for (const [name, field] of Object.entries(meta)) {
    if (!field || typeof field !== "object" || !("value" in field)) continue;
    const shown = Array.isArray(field.value) ? field.value.join(", ") : String(field.value);
    fields.append(el("dt", { textContent: name }),
      el("dd", {}, shown, el("span", { className: "from", textContent: ` (${field.from})` })));
  }
  const box = $("doc-passages");
  box.replaceChildren();
  let current = null;
  for (const p of window_.passages) {
    const block = highlighted(el("p", { className: "passage", id: `passage-${p.ordinal}`, tabIndex: -1 }), p.text, p.highlights);
    if (p.page) block.append(el("span", { className: "page", textContent: `p. ${p.page}` }));
    if (p.ordinal === target) { block.classList.add("current"); current = block; }
    box.append(block);
  }
  const matches = window_.matches;
  const before = matches.filter((m) => m < target);
  const after = matches.filter((m) => m > target);
  const at = matches.indexOf(target);
  $("match-position").textContent = matches.length
    ? (at >= 0 ? `match ${at + 1} of ${matches.length}` : `${matches.length} matches`)
    : "no matches";
  const step = (ordinal) => { params.set("p", ordinal); go(params, false); };
  $("prev-match").disabled = before.length === 0;
  $("next-match").disabled = after.length === 0;
  $("prev-match").onclick = () => before.length && step(before[before.length - 1]);
  $("next-match").onclick = () => after.length && step(after[0]);
  $("earlier").hidden = first === 0;
  $("later").hidden = first + window_.passages.length >= window_.total_passages;
  $("earlier").onclick = () => step(Math.max(0, first - WINDOW + WINDOW_BEFORE));
  $("later").onclick = () => step(first + WINDOW + WINDOW_BEFORE);
  if (current) { current.scrollIntoView({ block: "center" }); current.focus({ preventScroll: true }); }
}

async function renderStatus() {
  try {
    const s = await api("/api/status");
    const when = s.last_indexed ? new Date(s.last_indexed * 1000).toISOString().slice(0, 16).replace("T", " ") + " UTC" : "never";
    $("status").textContent = `${s.documents} documents, ${s.passages} passages · last indexed ${when}` +
      (s.interrupted ? " · an indexing run is under way or was interrupted" : "");
  } catch (e) {
    $("status").textContent = "";
  }
}

// ---- events ----

document.addEventListener("DOMContentLoaded", () => {
  $("search").addEventListener("submit", (e) => {
    e.preventDefault();
    const params = withoutView(state());
    params.set("q", $("q").value.trim());
    params.delete("offset");
    go(params);
  });
  $("daterange").addEventListener("submit", (e) => {
    e.preventDefault();
    const params = withoutView(state());
    params.set("from", $("from").value.trim());
    params.set("to", $("to").value.trim());
    params.delete("offset");
    go(params);
  });
  $("back").addEventListener("click", () => go(withoutView(state())));
  document.addEventListener("keydown", (e) => {
    const typing = ["INPUT", "TEXTAREA"].includes(document.activeElement.tagName);
    if (e.key === "/" && !typing) { e.preventDefault(); $("q").focus(); $("q").select(); }
    else if (e.key === "Escape" && state().get("doc")) go(withoutView(state()));
    else if (!typing && state().get("doc") && (e.key === "n" || e.key === "j")) $("next-match").click();
    else if (!typing && state().get("doc") && (e.key === "p" || e.key === "k")) $("prev-match").click();
  });
  window.addEventListener("popstate", render);
  renderStatus();
  setInterval(renderStatus, 30000);
  render();
});
