// cablegram charts: small inline-SVG charts drawn from JSON (no library, no build).
// (The thread graph is drawn by the server: web/thread_layout.py.)
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

// Months over time: bars = [{month: "2006-05", count, url}], empty months may be left out.
// Time is linear: each bar stands at its month's place between the first and the last
// month, so a gap in time is a gap on the axis.  The axis is labelled with years (or
// months, for a short span) at a step chosen so that no label overlaps another or
// leaves the chart.  Drawn at the container's width in pixels (text is never stretched)
// and drawn again when that width changes.
const monthIndex = (month) => Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
const monthName = (i) => `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`;

// Axis labels: years (each centred on the part of its year the chart shows, or every
// 2, 5, 10... years at the year's start when years are narrow), or months for a
// span of two years or less; the step is the smallest whose labels do not touch.
function axisTicks(first, last, plotWidth, labelWidth) {
  const span = last - first + 1;
  const perMonth = plotWidth / span;
  const ticks = [];
  if (span > 24) {
    const step = [1, 2, 5, 10, 20, 25, 50, 100].find((k) => k * 12 * perMonth >= labelWidth.year + 8) || 100;
    for (let y = Math.floor(first / 12); y * 12 <= last; y++) {
      if (step === 1) {
        const from = Math.max(y * 12, first), to = Math.min(y * 12 + 12, last + 1);
        if ((to - from) * perMonth >= labelWidth.year + 4) ticks.push({ at: (from + to) / 2, edge: y * 12, text: String(y) });
      } else if (y % step === 0 && y * 12 >= first) {
        ticks.push({ at: y * 12, edge: y * 12, text: String(y) });
      }
    }
    return ticks;
  }
  const step = [1, 2, 3, 6, 12].find((k) => k * perMonth >= labelWidth.month + 8) || 12;
  for (let i = first; i <= last; i++) if ((i % 12) % step === 0) ticks.push({ at: i + 0.5, text: monthName(i) });
  return ticks;
}

function columns(container, bars) {
  if (!bars.length) return emptyNote(container, "No dated cables.");
  const draw = () => {
    const width = Math.max(320, Math.round(container.clientWidth || 900));
    const height = 160, left = 44, right = 12, bottom = 22, top = 8;
    const plotWidth = width - left - right, plot = height - bottom - top;
    const indices = bars.map((b) => monthIndex(b.month));
    const first = Math.min(...indices), last = Math.max(...indices);
    const perMonth = plotWidth / (last - first + 1);
    const xOf = (i) => left + (i - first) * perMonth;
    const max = Math.max(...bars.map((b) => b.count), 1);
    const barWidth = perMonth >= 3 ? perMonth * 0.8 : Math.max(perMonth, 1);
    const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, width, height, class: "columns" });
    svg.append(el("line", { x1: left, x2: width - right, y1: top + plot, y2: top + plot, class: "axis" }));
    for (const frac of max >= 4 ? [0.5, 1] : [1]) {
      const y = top + plot - plot * frac;
      svg.append(el("line", { x1: left, x2: width - right, y1: y, y2: y, class: "grid" }));
      svg.append(el("text", { x: left - 4, y: y + 4, class: "tick", "text-anchor": "end" }, fmt(Math.round(max * frac))));
    }
    bars.forEach((b, k) => {
      const i = indices[k];
      const h = b.count ? Math.max(1, (plot * b.count) / max) : 0;
      const x = xOf(i) + (perMonth - barWidth) / 2;
      const label = `${b.month}: ${fmt(b.count)} cable${b.count === 1 ? "" : "s"}`;
      svg.append(link(b.url, label,
        el("rect", { x, y: top + plot - h, width: barWidth, height: h, class: "bar", "data-month": b.month }),
        el("rect", { x: xOf(i), y: top, width: Math.max(perMonth, 1), height: plot, class: "hit" })));
    });
    // Labels are measured on the page, then placed where they fit.
    const probe = el("text", { class: "tick" }, "2000-00");
    svg.append(probe);
    container.replaceChildren(svg);
    const monthWidth = probe.getComputedTextLength();
    probe.textContent = "2000";
    const yearWidth = probe.getComputedTextLength();
    probe.remove();
    const axis = el("g", { class: "time-axis" });
    for (const t of axisTicks(first, last, plotWidth, { year: yearWidth, month: monthWidth })) {
      const x = xOf(t.at);
      const half = (t.text.length > 4 ? monthWidth : yearWidth) / 2;
      if (x - half < 2 || x + half > width - 2) continue;  // would leave the chart
      if (t.edge !== undefined && t.edge > first) {
        const edge = xOf(t.edge);
        axis.append(el("line", { x1: edge, x2: edge, y1: top + plot, y2: top + plot + 5, class: "axis" }));
      }
      axis.append(el("text", { x, y: height - 6, class: "tick", "text-anchor": "middle" }, t.text));
    }
    svg.append(axis);
  };
  draw();
  let last = container.clientWidth;
  new ResizeObserver(() => {
    if (container.clientWidth !== last) { last = container.clientWidth; draw(); }
  }).observe(container);
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
  columns(chart("months"), stats.by_month.filter(([m]) => m && m !== "(unknown)").map(([month, count]) => ({ month, count, url: searchUrl(`date:${month}`) })));
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
  hbars(chart("origins"), stats.by_origin.filter(([o]) => o && o !== "(unknown)").map(([o, count]) => ({ label: o, count, url: searchUrl(`origin:${o}`) })));
  hbars(chart("tags"), stats.by_tag.map(([t, count]) => ({ label: t, note: meaning.get(t) || "", count, url: searchUrl(`tag:${t}`) })));
}

function start() {
  for (const container of document.querySelectorAll("[data-chart]")) {
    const data = container.dataset.source ? inline(container) : null;
    if (container.dataset.chart === "histogram" && data) columns(container, data);
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
