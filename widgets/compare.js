// agentlab compare view: two (or more) runs side by side, totals and per-agent figures.
// Plain ES module, no imports. The model holds `runs`: a list of run summaries.

function h(tag, attrs = {}, ...kids) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const kid of kids.flat()) if (kid !== null && kid !== undefined) node.append(kid);
  return node;
}

const money = (c) => (c === null || c === undefined ? "$?" : c >= 1 ? `$${c.toFixed(2)}` : `$${c.toFixed(6)}`);
const secs = (s) => (s === null || s === undefined ? "-" : s < 1 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(2)} s`);
// A run or agent whose models were scripted with no latency has no time worth comparing.
const time = (r) => (r.time_note ? `— (${r.time_note})` : secs(r.time_s));

const TOTALS = [
  ["status", (r) => r.status + (r.stop_reason ? ` (${r.stop_reason})` : ""), null],
  ["model calls", (r) => String(r.agents.reduce((n, a) => n + a.calls, 0)), (r) => r.agents.reduce((n, a) => n + a.calls, 0)],
  ["tokens in", (r) => String(r.tokens_in), (r) => r.tokens_in],
  ["tokens out", (r) => String(r.tokens_out), (r) => r.tokens_out],
  ["money", (r) => money(r.cost), (r) => r.cost],
  ["time", time, (r) => (r.time_note ? null : r.time_s)],
  ["handoffs", (r) => String(r.handoffs), (r) => r.handoffs],
  ["max hop", (r) => String(r.hops), (r) => r.hops],
];

function totalsTable(runs) {
  const head = h("tr", {}, h("th", { scope: "col", text: "" }), runs.map((r) => h("th", { scope: "col", text: r.title })));
  const rows = TOTALS.map(([label, show, num]) => {
    const shown = runs.map(show);
    if (runs.length > 1 && shown.every((text) => text === shown[0] && text.startsWith("— ("))) {
      return h("tr", {}, h("th", { scope: "row", text: label }), h("td", { colspan: runs.length, text: shown[0] }));
    }
    const values = num ? runs.map(num) : [];
    const top = values.length && values.every((v) => v !== null) ? Math.max(...values) : null;
    const uneven = top !== null && values.some((v) => v !== top);
    return h("tr", {}, h("th", { scope: "row", text: label }), runs.map((r, i) => {
      const more = uneven && values[i] === top;
      return h("td", more ? { class: "al-more", title: "the larger value" } : {}, shown[i] + (more ? " ▲" : ""));
    }));
  });
  return h("table", { "aria-label": "Totals per run" }, h("thead", {}, head), h("tbody", {}, rows));
}

function agentTable(run) {
  const head = h("tr", {}, ["agent", "calls", "tokens in", "tokens out", "money", "model time"].map((t) => h("th", { scope: "col", text: t })));
  const rows = run.agents.map((a) => h("tr", {}, h("td", { text: a.agent }), h("td", { text: String(a.calls) }),
    h("td", { text: String(a.tokens_in) }), h("td", { text: String(a.tokens_out) }),
    h("td", { text: money(a.cost) }), h("td", { text: time(a) })));
  return h("div", {}, h("h4", { text: `${run.title}: per agent` }),
    h("table", { "aria-label": `Per agent, ${run.title}` }, h("thead", {}, head), h("tbody", {}, rows)));
}

function render({ model, el }) {
  const draw = () => {
    const runs = model.get("runs") || [];
    el.replaceChildren(totalsTable(runs), h("div", { class: "al-compare-cols" }, runs.map(agentTable)));
  };
  el.classList.add("al-compare");
  model.on("change:runs", draw);
  draw();
  return () => model.off("change:runs", draw);
}

export default { render };
