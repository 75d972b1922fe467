// The Novera status page: polls /status and /history and draws them with plain DOM and SVG.
// No library and no build step. Every string from the bot is set with textContent, never parsed
// as HTML, and the server already redacted it; the page only reads.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const WIDTH = 360;
const HEIGHT = 140;
const PAD = { left: 34, right: 6, top: 8, bottom: 16 };
// A young process's charts span its life (at least a minute), not an empty quarter hour.
const MIN_SPAN_MS = 60 * 1000;
const CHARTS = [
  { id: "chart-events", series: [{ key: "events_per_sec", cls: "line-a" }] },
  { id: "chart-commands", series: [{ key: "commands_per_sec", cls: "line-a" }] },
  {
    id: "chart-latency",
    series: [
      { key: "latency_p50_ms", cls: "line-a" },
      { key: "latency_p99_ms", cls: "line-b" },
    ],
  },
];

const page = { points: [], since: 0, windowMs: 15 * 60 * 1000, pollMs: 2000 };
const $ = (id) => document.getElementById(id);

async function fetchJson(path) {
  const response = await fetch(path, { cache: "no-store" });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return response.json();
}

async function refresh() {
  try {
    const [status, history] = await Promise.all([
      fetchJson("status"),
      fetchJson(`history?since=${page.since}`),
    ]);
    addPoints(history);
    renderStatus(status);
    for (const chart of CHARTS) draw($(chart.id), chart.series);
    $("updated").textContent = `updated ${new Date().toLocaleTimeString()}`;
    document.body.classList.remove("stale");
  } catch (error) {
    $("updated").textContent = `cannot reach the bot (${error.message}); retrying`;
    document.body.classList.add("stale");
  }
  setTimeout(refresh, page.pollMs);
}

function addPoints(history) {
  page.windowMs = history.window_secs * 1000;
  page.pollMs = Math.min(5000, Math.max(500, history.sample_period_secs * 1000));
  $("sample-period").textContent = history.sample_period_secs;
  page.points.push(...history.points);
  if (history.points.length > 0) page.since = history.points[history.points.length - 1].at_unix_ms;
  const oldest = page.since - page.windowMs;
  page.points = page.points.filter((point) => point.at_unix_ms > oldest);
}

function renderStatus(status) {
  $("version").textContent = `version ${status.version}`;
  $("uptime").textContent = `up ${duration(status.uptime_secs)}`;
  badge($("alive"), status.alive, "alive", "stalled");
  badge($("ready"), status.ready, "ready", "not ready");
  $("problems").textContent = status.liveness_problems.concat(status.not_ready).join("; ");

  const shards = status.shards.map((shard) =>
    row(
      [
        shard.id,
        shard.state,
        shard.heartbeat_latency_ms == null ? "–" : `${shard.heartbeat_latency_ms.toFixed(0)} ms`,
        shard.last_event_age_secs == null ? "–" : `${duration(shard.last_event_age_secs)} ago`,
        shard.events,
        shard.events_dropped,
        `${shard.reconnects} / ${shard.resumes}`,
        shard.detail ?? (shard.last_close_code == null ? "" : `last close ${shard.last_close_code}`),
      ],
      { shard: shard.id, state: shard.state },
    ),
  );
  for (const tr of shards) tr.cells[1].className = tr.dataset.state === "active" ? "ok" : "warn";
  $("shards").tBodies[0].replaceChildren(...(shards.length > 0 ? shards : [note("no shards yet", 8)]));

  const commands = status.commands;
  $("served").textContent = commands ? commands.served : "–";
  $("failed").textContent = commands ? commands.failed : "–";
  $("shed").textContent = commands ? commands.busy_rejected : "–";
  $("in-flight").textContent = commands ? commands.in_flight : "–";
  $("ingress").textContent = commands && commands.via_http > 0
    ? `received: ${commands.via_gateway} gateway, ${commands.via_http} HTTP`
    : "";
  $("failed").classList.toggle("bad", Boolean(commands && commands.failed > 0));
  $("shed").classList.toggle("warn", Boolean(commands && commands.busy_rejected > 0));

  const budget = status.identify_budget;
  $("budget").textContent = budget ? `${budget.remaining} / ${budget.total}` : "unknown";
  $("budget").classList.toggle("bad", Boolean(budget && budget.remaining * 10 < budget.total));
  $("budget-reset").textContent = budget
    ? `resets ${new Date(budget.resets_at_unix_ms).toLocaleString()} (in ${duration((budget.resets_at_unix_ms - Date.now()) / 1000)})`
    : "";

  const incidents = status.incidents.map((incident) => {
    const tr = row([
      new Date(incident.at_unix_ms).toLocaleString(),
      incident.kind,
      "",
      incident.summary,
    ]);
    const code = document.createElement("code");
    code.textContent = incident.reference ?? "–";
    tr.cells[2].append(code);
    return tr;
  });
  $("incidents").tBodies[0].replaceChildren(...(incidents.length > 0 ? incidents : [note("none since start", 4)]));
}

function row(cells, data = {}) {
  const tr = document.createElement("tr");
  for (const [key, value] of Object.entries(data)) tr.dataset[key] = value;
  for (const cell of cells) {
    const td = document.createElement("td");
    td.textContent = String(cell);
    tr.append(td);
  }
  return tr;
}

function note(text, columns) {
  const tr = row([text]);
  tr.cells[0].colSpan = columns;
  tr.cells[0].className = "muted";
  return tr;
}

function badge(element, good, yes, no) {
  element.textContent = good ? yes : no;
  element.className = `badge ${good ? "ok" : "bad"}`;
}

// One chart: a line per series over the window, broken where a point has no value; a lone
// point is a dot. `data-points` counts what was drawn (the browser test reads it).
function draw(svg, series) {
  const now = page.points.length > 0 ? page.points[page.points.length - 1].at_unix_ms : Date.now();
  const first = page.points.length > 0 ? page.points[0].at_unix_ms : now;
  const span = Math.min(page.windowMs, Math.max(MIN_SPAN_MS, now - first));
  const start = now - span;
  const values = series.flatMap((s) => page.points.map((p) => p[s.key]).filter((v) => v != null));
  const top = niceCeiling(Math.max(0, ...values));
  const x = (t) => PAD.left + ((t - start) / span) * (WIDTH - PAD.left - PAD.right);
  const y = (v) => HEIGHT - PAD.bottom - (v / top) * (HEIGHT - PAD.top - PAD.bottom);
  const children = [
    svgElement("line", { x1: PAD.left, y1: y(top), x2: WIDTH - PAD.right, y2: y(top), class: "grid" }),
    svgElement("line", { x1: PAD.left, y1: y(0), x2: WIDTH - PAD.right, y2: y(0), class: "axis" }),
    svgText(PAD.left - 4, y(top) + 4, "end", number(top)),
    svgText(PAD.left - 4, y(0), "end", "0"),
    svgText(PAD.left, HEIGHT - 3, "start", `${duration(span / 1000)} ago`),
    svgText(WIDTH - PAD.right, HEIGHT - 3, "end", "now"),
  ];
  let drawn = 0;
  for (const { key, cls } of series) {
    let run = [];
    const flush = () => {
      if (run.length === 1) {
        const [cx, cy] = run[0].split(",");
        children.push(svgElement("circle", { cx, cy, r: 2.5, class: cls }));
      } else if (run.length > 1) {
        children.push(svgElement("polyline", { points: run.join(" "), class: cls }));
      }
      drawn += run.length;
      run = [];
    };
    for (const point of page.points) {
      const value = point[key];
      if (value == null) {
        flush();
      } else {
        run.push(`${x(point.at_unix_ms).toFixed(1)},${y(value).toFixed(1)}`);
      }
    }
    flush();
  }
  svg.replaceChildren(...children);
  svg.dataset.points = drawn;
}

function svgElement(name, attributes) {
  const element = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  return element;
}

function svgText(x, y, anchor, content) {
  const element = svgElement("text", { x, y, "text-anchor": anchor });
  element.textContent = content;
  return element;
}

// The next 1, 2 or 5 times a power of ten above the largest value (at least 1).
function niceCeiling(value) {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((m) => m * power >= value);
  return step * power;
}

function number(value) {
  return value >= 10 ? value.toFixed(0) : String(Number(value.toPrecision(2)));
}

function duration(totalSeconds) {
  const s = Math.max(0, Math.round(totalSeconds));
  const units = [["d", 86400], ["h", 3600], ["min", 60], ["s", 1]];
  const parts = [];
  let rest = s;
  for (const [name, size] of units) {
    if (rest >= size || (name === "s" && parts.length === 0)) {
      parts.push(`${Math.floor(rest / size)} ${name}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(" ");
}

refresh();
