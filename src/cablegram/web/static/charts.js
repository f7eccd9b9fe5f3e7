// cablegram charts: small inline-SVG charts drawn from JSON (no library, no build).
// Every bar and node is a link, so charts narrow searches and work from the keyboard.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const LEVELS = {
  "UNCLASSIFIED": "unclassified", "CONFIDENTIAL": "confidential",
  "SECRET": "secret", "TOP SECRET": "top-secret",
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  for (const child of children) {
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

function link(url, label, ...children) {
  if (!url) return el("g", {}, el("title", {}, label), ...children);
  return el("a", { href: url, "aria-label": label }, el("title", {}, label), ...children);
}

function levelClass(classification) {
  return "lvl-" + (LEVELS[classification] || "unknown");
}

function searchUrl(query, extra = {}) {
  return "/search?" + new URLSearchParams({ q: query, ...extra }).toString();
}

function fmt(n) {
  return Number(n).toLocaleString("en-US");
}

function emptyNote(container, text) {
  const p = document.createElement("p");
  p.className = "none";
  p.textContent = text;
  container.replaceChildren(p);
}

// Columns over time: bars = [{month: "2006-05", count, url}], ticks at each January.
function columns(container, bars) {
  if (!bars.length) return emptyNote(container, "No dated cables.");
  const width = 900, height = 160, left = 40, bottom = 22, top = 8;
  const max = Math.max(...bars.map((b) => b.count), 1);
  const step = (width - left) / bars.length;
  const barWidth = Math.max(1, Math.min(step * 0.8, 36));
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, class: "columns", preserveAspectRatio: "none" });
  const plot = height - bottom - top;
  svg.append(el("line", { x1: left, x2: width, y1: top + plot, y2: top + plot, class: "axis" }));
  for (const frac of max >= 4 ? [0.5, 1] : [1]) {
    const y = top + plot - plot * frac;
    svg.append(el("line", { x1: left, x2: width, y1: y, y2: y, class: "grid" }));
    svg.append(el("text", { x: left - 4, y: y + 4, class: "tick", "text-anchor": "end" }, fmt(Math.round(max * frac))));
  }
  bars.forEach((b, i) => {
    const h = b.count ? Math.max(1, (plot * b.count) / max) : 0;
    const x = left + i * step;
    const label = `${b.month}: ${fmt(b.count)} cable${b.count === 1 ? "" : "s"}`;
    svg.append(link(b.url, label,
      el("rect", { x: x + (step - barWidth) / 2, y: top + plot - h, width: barWidth, height: h, class: "bar" }),
      el("rect", { x, y: top, width: step, height: plot, class: "hit" })));
    const month = b.month.slice(5, 7);
    if (month === "01" || i === 0 || bars.length <= 12) {
      const text = bars.length <= 12 ? b.month : b.month.slice(0, 4);
      svg.append(el("text", { x: x + step / 2, y: height - 6, class: "tick", "text-anchor": "middle" }, text));
    }
  });
  container.replaceChildren(svg);
}

// Horizontal bars: rows = [{label, note, count, url, cls}].
function hbars(container, rows) {
  if (!rows.length) return emptyNote(container, "Nothing to show.");
  const max = Math.max(...rows.map((r) => r.count), 1);
  const list = document.createElement("ol");
  list.className = "hbars";
  for (const r of rows) {
    const item = document.createElement("li");
    const a = document.createElement(r.url ? "a" : "span");
    if (r.url) a.href = r.url;
    a.className = "hbar " + (r.cls || "");
    a.style.setProperty("--share", `${(100 * r.count) / max}%`);
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = r.label;
    if (r.note) {
      const note = document.createElement("span");
      note.className = "note";
      note.textContent = " " + r.note;
      name.append(note);
    }
    const count = document.createElement("span");
    count.className = "count";
    count.textContent = fmt(r.count);
    a.append(name, count);
    item.append(a);
    list.append(item);
  }
  container.replaceChildren(list);
}

// One stacked bar of shares: parts = [{label, count, url, cls}].
function stack(container, parts) {
  const total = parts.reduce((s, p) => s + p.count, 0);
  if (!total) return emptyNote(container, "Nothing to show.");
  const width = 600, height = 36;
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, class: "stack", preserveAspectRatio: "none" });
  let x = 0;
  for (const p of parts) {
    const w = (width * p.count) / total;
    const label = `${p.label}: ${fmt(p.count)} (${((100 * p.count) / total).toFixed(1)}%)`;
    svg.append(link(p.url, label, el("rect", { x, y: 0, width: w, height, class: "part " + p.cls })));
    x += w;
  }
  const legend = document.createElement("ul");
  legend.className = "legend";
  for (const p of parts) {
    const li = document.createElement("li");
    const a = document.createElement(p.url ? "a" : "span");
    if (p.url) a.href = p.url;
    a.className = "key " + p.cls;
    a.textContent = `${p.label} ${fmt(p.count)} (${((100 * p.count) / total).toFixed(1)}%)`;
    li.append(a);
    legend.append(li);
  }
  container.replaceChildren(svg, legend);
}

// The thread graph: x = time, lanes chosen so labels do not overlap, arrows citer -> cited.
function threadGraph(container, data) {
  const nodes = data.nodes;
  if (!nodes.length) return emptyNote(container, "Nothing to draw.");
  const times = nodes.map((n) => (n.created ? Date.parse(n.created) : NaN));
  const known = times.filter((t) => !Number.isNaN(t));
  const t0 = known.length ? Math.min(...known) : 0;
  const t1 = known.length ? Math.max(...known) : 1;
  const labelWidth = 150, laneHeight = 58, pad = 40;
  const width = Math.max(720, Math.min(2400, nodes.length * 70));
  const xOf = (t, i) => {
    if (Number.isNaN(t)) return width - pad;
    return t1 === t0 ? pad + ((width - 2 * pad) * (i + 0.5)) / nodes.length : pad + ((width - 2 * pad) * (t - t0)) / (t1 - t0);
  };
  const lanesEnd = [];
  const pos = new Map();
  nodes.forEach((n, i) => {
    const x = xOf(times[i], i);
    let lane = lanesEnd.findIndex((end) => end + 12 < x - labelWidth / 2);
    if (lane < 0) { lane = lanesEnd.length; lanesEnd.push(0); }
    lanesEnd[lane] = x + labelWidth / 2;
    pos.set(n.id, { x, lane, node: n });
  });
  const height = lanesEnd.length * laneHeight + 2 * pad;
  const yOf = (lane) => pad + lane * laneHeight + 10;
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, class: "thread", width, height });
  svg.append(el("defs", {}, el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 17, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
    el("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrowhead" }))));
  for (const e of data.edges) {
    const a = pos.get(e.source), b = pos.get(e.target);
    if (!a || !b) continue;
    const ya = yOf(a.lane), yb = yOf(b.lane);
    const mx = (a.x + b.x) / 2, my = Math.min(ya, yb) - 24 - Math.abs(a.x - b.x) * 0.04;
    svg.append(el("path", { d: `M ${a.x} ${ya} Q ${mx} ${my} ${b.x} ${yb}`, class: "edge", "marker-end": "url(#arrow)" }));
  }
  for (const { x, lane, node } of pos.values()) {
    const y = yOf(lane);
    const root = node.id === data.root;
    const label = `${node.id} (${node.created ? node.created.slice(0, 10) : "undated"}, ${node.classification || "classification unknown"}): ${node.subject || ""}`;
    svg.append(link(`/cables/${encodeURIComponent(node.id)}`, label,
      el("circle", { cx: x, cy: y, r: root ? 11 : 8, class: `node ${levelClass(node.classification)}${root ? " root" : ""}` }),
      el("text", { x, y: y + 24, class: "node-id", "text-anchor": "middle" }, node.id),
      el("text", { x, y: y + 37, class: "node-date", "text-anchor": "middle" }, node.created ? node.created.slice(0, 10) : "undated")));
  }
  container.replaceChildren(svg);
}

async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

function inline(container) {
  const source = document.getElementById(container.dataset.source);
  return source ? JSON.parse(source.textContent) : null;
}

async function overview(root) {
  const [stats, tags] = await Promise.all([getJSON(root.dataset.stats), getJSON(root.dataset.tags)]);
  const meaning = new Map(tags.map((t) => [t.tag, t.meaning]));
  for (const span of root.querySelectorAll("[data-stat]")) span.textContent = fmt(stats[span.dataset.stat]);
  const chart = (name) => root.querySelector(`[data-chart="${name}"]`);
  columns(chart("months"), stats.by_month.filter(([m]) => m).map(([month, count]) => ({ month, count, url: searchUrl(`date:${month}`) })));
  const rank = (c) => { const i = Object.keys(LEVELS).indexOf(c); return i < 0 ? 99 : i; };
  const levels = [...stats.by_classification].sort((a, b) => rank(a[0]) - rank(b[0]));
  stack(chart("classes"), levels.map(([c, count]) => ({
    label: c || "unknown", count, cls: levelClass(c),
    url: c ? searchUrl(`class:"${c.toLowerCase()}"`) : null,
  })));
  const resolved = stats.references - stats.unresolved_references - stats.non_cable_references;
  stack(chart("references"), [
    { label: "in the archive", count: resolved, cls: "refs-resolved" },
    { label: "cables not in the archive", count: stats.unresolved_references, cls: "refs-missing" },
    { label: "not cables", count: stats.non_cable_references, cls: "refs-other" },
  ]);
  hbars(chart("origins"), stats.by_origin.filter(([o]) => o).map(([o, count]) => ({ label: o, count, url: searchUrl(`origin:${o}`) })));
  hbars(chart("tags"), stats.by_tag.map(([t, count]) => ({ label: t, note: meaning.get(t) || "", count, url: searchUrl(`tag:${t}`) })));
}

function start() {
  for (const container of document.querySelectorAll("[data-chart]")) {
    const data = container.dataset.source ? inline(container) : null;
    if (container.dataset.chart === "histogram" && data) columns(container, data);
    if (container.dataset.chart === "thread" && data) threadGraph(container, data);
  }
  for (const root of document.querySelectorAll("[data-overview]")) {
    overview(root).catch((error) => {
      root.prepend(Object.assign(document.createElement("p"), { className: "note", textContent: `Could not load the figures (${error.message}).` }));
    });
  }
  // "/" jumps to the search box, as on many sites.
  document.addEventListener("keydown", (event) => {
    const box = document.getElementById("q");
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
    if (event.key === "/" && box && !typing) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });
}

document.addEventListener("DOMContentLoaded", start);
