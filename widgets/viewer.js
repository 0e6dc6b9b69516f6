// agentlab run viewer: a plain ES module with no imports (anywidget loads it as is).
// The model holds `index` (one row per span, as columns, in tree order), `summary`,
// `title` and `step`; the details of one span (its exact messages) are asked for with
// model.send({type: "detail", id}) and arrive as a "msg:custom" {type: "detail", id, data}.
// The tree draws only the rows on screen, so 10,000-span traces stay fast.
// `index.findings` (al.diagnose) are listed above the tree; choosing one selects its
// spans (their rows are marked, the first is opened); `index.flags` badges each span.

const ROW_H = 22;
const DETAIL_TIMEOUT_MS = 8000;
const ICONS = { warning: "⚠", info: "ⓘ" };
const MARKS = { error: "✗ error", stopped: "■ stopped", running: "… running", ok: "" };

function h(tag, attrs = {}, ...kids) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const kid of kids.flat()) {
    if (kid !== undefined && kid !== null && kid !== false) {
      node.append(typeof kid === "string" ? document.createTextNode(kid) : kid);
    }
  }
  return node;
}

export function money(cost) {
  if (cost === null || cost === undefined) return "$?";
  return cost >= 1 ? `$${cost.toFixed(2)}` : `$${cost.toFixed(6)}`;
}

export function millis(ms) {
  if (ms === null || ms === undefined) return "-";
  return ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

// A replayed model call lasted about 1 ms here: show the latency it was recorded with.
export function took(ms, recMs) {
  return recMs === null || recMs === undefined ? millis(ms) : `${millis(recMs)} recorded`;
}

function tookTitle(ms, recMs) {
  if (recMs === null || recMs === undefined) return undefined;
  return `Replayed from a recording: the call took ${millis(recMs)} when it was recorded; the replay took ${millis(ms)}`;
}

function statusText(status) {
  return MARKS[status] ?? status;
}

// Messages are numbered in the order the model got them (a system prompt first even when
// the trace stored it after the user's message); the trace's own index is in the title.
function messageView(message, position) {
  const who = [message.role, message.agent, message.name].filter(Boolean).join(" · ");
  const box = h("div", { class: `al-msg al-role-${message.role}${message.is_error ? " al-bad" : ""}` },
    h("div", { class: "al-msg-head", title: `message #${message.index} of the trace` },
      `${position}. ${who}`, message.is_error ? " ✗ error" : ""),
    message.content ? h("pre", { class: "al-pre", text: message.content }) : null);
  for (const call of message.tool_calls ?? []) {
    const args = typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments);
    box.append(h("div", { class: "al-call" }, "→ calls ", h("code", { text: `${call.name}(${args})` })));
  }
  return box;
}

function messageList(title, list) {
  if (!list || !list.items.length) return null;
  const count = list.items.length + list.hidden;
  return h("section", { class: "al-section", "aria-label": title },
    h("h4", { text: `${title} (${count})` }),
    list.hidden ? h("p", { class: "al-note", text: `${list.hidden} earlier messages not shown` }) : null,
    list.items.map((message, i) => messageView(message, list.hidden + i + 1)));
}

function valueView(value) {
  const text = typeof value === "string" ? value : JSON.stringify(value, null, 2);
  return h("pre", { class: "al-pre", text });
}

function detailView(d) {
  if (d.missing) return h("p", { class: "al-note", text: "No such span in this run (the kernel holds another run now)." });
  const time = d.rec_ms === null || d.rec_ms === undefined ? millis(d.ms)
    : `${took(d.ms, d.rec_ms)} (replayed in ${millis(d.ms)})`;
  const facts = [d.agent && `agent ${d.agent}`, d.model && `model ${d.model}`, time,
    d.usage && `${d.usage.input_tokens} in / ${d.usage.output_tokens} out tokens`,
    d.kind === "model" ? money(d.cost) : null].filter(Boolean).join(" · ");
  const attrs = d.attributes || {};
  const parts = [
    h("h3", { class: "al-detail-title" }, `${d.kind} ${d.name} `,
      d.status !== "ok" ? h("span", { class: `al-mark al-${d.status}`, text: statusText(d.status) }) : null),
    h("p", { class: "al-facts", text: facts }),
    d.error ? h("p", { class: "al-errbox", text: d.error }) : null,
  ];
  if (d.kind === "handoff") {
    parts.push(h("dl", { class: "al-handoff" },
      h("dt", { text: "from → to" }), h("dd", { text: `${attrs.from_agent} → ${attrs.to_agent}` }),
      h("dt", { text: "hop" }), h("dd", { text: String(attrs.hop ?? "") }),
      h("dt", { text: "intent" }), h("dd", { class: "al-intent", text: String(attrs.intent ?? "") }),
      h("dt", { text: "state" }), h("dd", { text: String(attrs.state ?? "-") }),
      attrs.filter ? [h("dt", { text: "filter" }), h("dd", { text: String(attrs.filter) })] : null));
    parts.push(messageList("Messages that crossed", d.messages_out));
    parts.push(messageList("Removed by the filter", d.removed));
    return parts;
  }
  if (d.kind === "tool") {
    parts.push(h("section", { class: "al-section" }, h("h4", { text: "Arguments" }), valueView(attrs.arguments ?? {})));
    parts.push(h("section", { class: "al-section" }, h("h4", { text: "Result" }), valueView(d.output ?? "")));
    return parts;
  }
  parts.push(messageList(d.kind === "model" ? "Received" : "Messages in", d.messages_in));
  parts.push(messageList(d.kind === "model" ? "Returned" : "Messages out", d.messages_out));
  if (d.kind !== "model" && Object.keys(attrs).length) {
    parts.push(h("section", { class: "al-section" }, h("h4", { text: "Attributes" }), valueView(attrs)));
  }
  if (d.kind !== "model" && d.output !== null && d.output !== undefined) {
    parts.push(h("section", { class: "al-section" }, h("h4", { text: "Output" }), valueView(d.output)));
  }
  return parts;
}

function summaryView(s) {
  if (!s || !s.title) return null;
  const status = s.status + (s.stop_reason ? ` (${s.stop_reason})` : "");
  return h("div", { class: "al-summary" },
    h("strong", { text: s.title }), " ",
    h("span", { class: `al-mark al-${s.status}`, text: status }),
    ` · ${s.spans} spans · ${s.tokens_in} in / ${s.tokens_out} out tokens · ${money(s.cost)}`,
    ` · ${s.time_note ? `— (${s.time_note})` : s.time_s === null ? "-" : millis(s.time_s * 1000)}`,
    s.handoffs ? ` · ${s.handoffs} handoffs` : "",
    s.stop_detail ? h("div", { class: "al-note", text: s.stop_detail }) : null,
    s.unpriced ? h("div", { class: "al-note al-money", text: s.unpriced }) : null);
}

function render({ model, el }) {
  // row: the selected row; id: its span id, so a live update (rows shift) keeps it selected
  const view = { collapsed: new Set(), visible: [], row: -1, id: undefined, trace: undefined, cache: new Map(), frame: 0,
    finding: -1, marked: new Set() };
  const uid = Math.random().toString(36).slice(2, 10);  // row ids for aria-activedescendant
  const index = () => model.get("index") || { id: [], steps: [], handoffs: [] };

  const prev = h("button", { type: "button", class: "al-btn", "aria-label": "Previous step", title: "Previous step (←)", text: "◀ Prev" });
  const next = h("button", { type: "button", class: "al-btn", "aria-label": "Next step", title: "Next step (→)", text: "Next ▶" });
  const slider = h("input", { type: "range", min: "0", max: "0", value: "0", class: "al-slider", "aria-label": "Step" });
  const position = h("span", { class: "al-position", "aria-live": "polite" });
  const summary = h("div", { class: "al-head" });
  const spacer = h("div", { class: "al-spacer" });
  // data-lm-suppress-shortcuts: keys pressed in the tree scroll it instead of moving notebook cells
  const tree = h("div", { class: "al-tree", role: "tree", tabindex: "0", "aria-label": "Span tree",
    title: "↑ ↓ move through the spans, Enter folds one, ← → step", "data-lm-suppress-shortcuts": "true" }, spacer);
  const detail = h("div", { class: "al-detail", "aria-live": "polite", tabindex: "-1" });
  const handoffs = h("div", { class: "al-handoffs", role: "group", "aria-label": "Handoffs" });
  const findings = h("div", { class: "al-findings", role: "group", "aria-label": "Findings" });
  // live_text: the answer of the model call under way, as it arrives (streamed runs)
  const live = h("pre", { class: "al-live-text", "aria-live": "polite", "aria-label": "Text arriving" });
  const drawLive = () => {
    const text = model.get("live_text") || "";
    live.textContent = text;
    live.style.display = text ? "" : "none";
  };
  el.classList.add("al-viewer");
  el.append(summary, live, findings, h("div", { class: "al-toolbar" }, prev, slider, next, position),
    h("div", { class: "al-main" }, tree, detail), handoffs);

  function computeVisible() {
    const ix = index();
    const out = [];
    let hideDeeper = Infinity;
    for (let r = 0; r < ix.id.length; r++) {
      const depth = ix.depth[r];
      if (depth > hideDeeper) continue;
      hideDeeper = view.collapsed.has(r) ? depth : Infinity;
      out.push(r);
    }
    view.visible = out;
    spacer.style.height = `${out.length * ROW_H}px`;
  }

  function hasKids(r) {
    const ix = index();
    return r + 1 < ix.id.length && ix.depth[r + 1] > ix.depth[r];
  }

  function rowView(r, top) {
    const ix = index();
    const status = ix.status[r];
    const caret = hasKids(r)
      ? h("button", { type: "button", class: "al-caret", "aria-label": `${view.collapsed.has(r) ? "Expand" : "Collapse"} ${ix.kind[r]} ${ix.name[r]}`,
        text: view.collapsed.has(r) ? "▸" : "▾", onclick: (e) => { e.stopPropagation(); toggle(r); } })
      : h("span", { class: "al-caret-space" });
    const flag = ix.flags?.[r];
    const badge = flag ? h("span", { class: `al-badge al-badge-${flag.severity}`, title: `al.diagnose: ${flag.kinds.join(", ")}`,
      text: `${ICONS[flag.severity] ?? "⚑"} ${flag.kinds.join(", ")}` }) : null;
    const numbers = ix.tin[r] || ix.tout[r] ? `${ix.tin[r]}/${ix.tout[r]} tok ${money(ix.cost[r])}` : "";
    return h("div", {
      class: `al-row al-kind-${ix.kind[r]} al-st-${status}${r === view.row ? " al-selected" : ""}${view.marked.has(r) ? " al-marked" : ""}`,
      role: "treeitem", "aria-level": String(ix.depth[r] + 1), "aria-selected": r === view.row ? "true" : "false",
      id: `al-${uid}-r${r}`, "data-row": String(r), style: `top:${top}px;padding-left:${ix.depth[r] * 14 + 4}px`,
      onclick: () => select(r, true),
    }, caret,
    h("span", { class: "al-kind", text: ix.kind[r] }), " ",
    h("span", { class: "al-name", text: ix.name[r] }),
    ix.agent[r] && ix.agent[r] !== ix.name[r] ? h("span", { class: "al-agent", text: ` [${ix.agent[r]}]` }) : null,
    status !== "ok" ? h("span", { class: `al-mark al-${status}`, text: ` ${statusText(status)}` }) : null,
    badge,
    h("span", { class: "al-nums", text: `${numbers} ${took(ix.ms[r], ix.rec_ms?.[r])}`,
      title: tookTitle(ix.ms[r], ix.rec_ms?.[r]) }),
    ix.note[r] ? h("span", { class: "al-rownote", text: ix.note[r] }) : null);
  }

  function drawRows() {
    view.frame = 0;
    const first = Math.max(0, Math.floor(tree.scrollTop / ROW_H) - 5);
    const last = Math.min(view.visible.length, first + Math.ceil((tree.clientHeight || 400) / ROW_H) + 10);
    const rows = [];
    for (let i = first; i < last; i++) rows.push(rowView(view.visible[i], i * ROW_H));
    const focused = el.ownerDocument.activeElement;
    const keep = spacer.contains(focused) ? focused.closest(".al-row")?.dataset.row : undefined;
    spacer.replaceChildren(...rows);
    if (keep !== undefined) spacer.querySelector(`.al-row[data-row="${keep}"] .al-caret`)?.focus();
    const active = view.row >= 0 && spacer.querySelector(`.al-row[data-row="${view.row}"]`);
    if (active) tree.setAttribute("aria-activedescendant", active.id);
    else tree.removeAttribute("aria-activedescendant");
  }

  function schedule() {
    if (!view.frame) view.frame = requestAnimationFrame(drawRows);
  }

  function toggle(r) {
    if (view.collapsed.has(r)) view.collapsed.delete(r);
    else view.collapsed.add(r);
    computeVisible();
    drawRows();
  }

  function reveal(r) {
    const ix = index();
    let changed = false;
    for (let p = ix.parent[r]; p >= 0; p = ix.parent[p]) changed = view.collapsed.delete(p) || changed;
    if (changed) computeVisible();
    const at = view.visible.indexOf(r);
    if (at < 0) return;
    const top = at * ROW_H;
    if (top < tree.scrollTop || top + ROW_H > tree.scrollTop + tree.clientHeight) {
      tree.scrollTop = Math.max(0, top - tree.clientHeight / 2);
    }
  }

  function showDetail(r) {
    const ix = index();
    if (ix.status[r] === "running") {  // nothing to ask yet: the next index says when it ends
      detail.replaceChildren(h("p", { class: "al-note", text: `This span is still running: ${ix.kind[r]} ${ix.name[r]}.` }));
      return;
    }
    const key = String(ix.id[r]);
    const cached = view.cache.get(key);
    if (cached) {
      detail.replaceChildren(...detailView(cached).flat().filter(Boolean));
      return;
    }
    detail.replaceChildren(h("p", { class: "al-note", text: `Loading ${ix.kind[r]} ${ix.name[r]}…` }));
    model.send({ type: "detail", id: ix.id[r] });
    setTimeout(() => {  // no answer: the notebook was reopened without its kernel
      if (view.row === r && !view.cache.has(key)) {
        detail.replaceChildren(h("p", { class: "al-note", text: "The messages of this step come from the " +
          "running kernel and it did not answer: run the cell again to see them." }));
      }
    }, DETAIL_TIMEOUT_MS);
  }

  function select(r, fromClick) {
    const ix = index();
    if (r < 0 || r >= ix.id.length) return;
    view.row = r;
    view.id = ix.id[r];
    const step = ix.steps.indexOf(r);
    if (fromClick && step >= 0 && step !== model.get("step")) {
      model.set("step", step);
      model.save_changes();
    }
    reveal(r);
    drawRows();
    updatePosition();
    showDetail(r);
  }

  function clampStep(step) {  // a step set from Python may be past the last one
    return Math.max(0, Math.min(step || 0, index().steps.length - 1));
  }

  function updatePosition() {
    const ix = index();
    const n = ix.steps.length;
    const step = clampStep(model.get("step"));
    slider.max = String(Math.max(0, n - 1));
    slider.value = String(step);
    slider.disabled = n === 0;
    prev.disabled = step <= 0;
    next.disabled = step >= n - 1;
    const r = ix.steps[step];
    const sel = view.row;
    if (n && sel !== undefined && sel !== r && ix.steps.indexOf(sel) < 0) {  // a row that is no step
      const before = ix.steps.filter((row) => row <= sel).length;
      position.textContent = `${ix.kind[sel]} ${ix.name[sel]} · ${before} of ${n} steps before it`;
    } else {
      position.textContent = n ? `Step ${step + 1} / ${n}: ${ix.kind[r]} ${ix.name[r]}` : "No steps yet";
    }
    slider.setAttribute("aria-valuetext", position.textContent);
  }

  function go(step) {
    const n = index().steps.length;
    if (!n) return;
    step = Math.max(0, Math.min(n - 1, step));
    model.set("step", step);
    model.save_changes();
    if (view.row !== index().steps[step]) select(index().steps[step], false);
  }

  function drawHandoffs() {
    const list = index().handoffs || [];
    handoffs.replaceChildren(list.length ? h("h4", { text: `Handoffs (${list.length})` }) : "",
      ...list.map((hf) => h("button", {
        type: "button", class: "al-handoff-btn", "data-row": String(hf.row),
        "aria-label": `Open handoff ${hf.from} to ${hf.to}, hop ${hf.hop}`,
        onclick: () => { const s = index().steps.indexOf(hf.row); if (s >= 0) go(s); else select(hf.row, true); },
      }, h("strong", { text: `hop ${hf.hop ?? "?"}: ${hf.from} → ${hf.to}` }), " ", h("span", { class: "al-intent", text: hf.intent ?? "" }))));
  }

  // A finding selects its spans: every row it points at is marked, the first one opened.
  function chooseFinding(i) {
    const list = index().findings || [];
    const f = list[i];
    if (!f || view.finding === i) { view.finding = -1; view.marked = new Set(); drawFindings(); drawRows(); return; }
    view.finding = i;
    view.marked = new Set(f.rows);
    for (const r of f.rows) reveal(r);
    drawFindings();
    if (f.rows.length) select(f.rows[0], true);
    else drawRows();
  }

  function drawFindings() {
    const list = index().findings || [];
    findings.replaceChildren(list.length ? h("h4", { text: `Findings (${list.length}): al.diagnose(run)` }) : "",
      ...list.map((f, i) => h("button", {
        type: "button", class: `al-finding-btn al-finding-${f.severity}${i === view.finding ? " al-chosen" : ""}`,
        "data-kind": f.kind, "aria-pressed": i === view.finding ? "true" : "false",
        "aria-label": `${f.severity} ${f.kind}: ${f.message}. Select its ${f.rows.length} spans`,
        onclick: () => chooseFinding(i),
      }, h("strong", { text: `${ICONS[f.severity] ?? "⚑"} ${f.kind}` }), " ", h("span", { text: f.message }),
      h("div", { class: "al-suggest", text: `→ ${f.suggestion}` }))));
  }

  function drawSummary() {
    summary.replaceChildren(summaryView(model.get("summary")) || "");
  }

  // A new index: a live run went on, or the viewer follows another run. Details of spans
  // that had ended stay cached and the selection stays on its span (by id), so a live
  // update asks the kernel for nothing unless the selected span has just ended.
  function redraw() {
    const ix = index();
    if (ix.trace !== view.trace) {
      view.cache.clear();
      view.id = undefined;
      view.trace = ix.trace;
      view.finding = -1;
    }
    const chosen = (ix.findings || [])[view.finding];
    if (!chosen) view.finding = -1;
    view.marked = new Set(chosen ? chosen.rows : []);
    for (const [key, d] of view.cache) if (d.missing) view.cache.delete(key);
    computeVisible();
    drawHandoffs();
    drawFindings();
    const kept = view.id === undefined ? -1 : ix.id.indexOf(view.id);
    if (kept >= 0) select(kept, true);  // its step number too, should earlier spans appear
    else if (ix.steps.length) select(ix.steps[clampStep(model.get("step"))], false);
    else { view.row = -1; updatePosition(); drawRows(); }
  }

  function onMessage(msg) {
    if (!msg || msg.type !== "detail") return;
    view.cache.set(String(msg.id), msg.data);
    const ix = index();
    if (view.row >= 0 && String(ix.id[view.row]) === String(msg.id)) showDetail(view.row);
  }

  function onKey(event) {
    if (event.target === slider || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "ArrowRight") { go((model.get("step") || 0) + 1); event.preventDefault(); }
    else if (event.key === "ArrowLeft") { go((model.get("step") || 0) - 1); event.preventDefault(); }
  }

  function onTreeKey(event) {  // up/down move through the rows, Enter or Space folds one
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const at = view.visible.indexOf(view.row) + (event.key === "ArrowDown" ? 1 : -1);
      const to = view.visible[Math.max(0, Math.min(view.visible.length - 1, at))];
      if (to !== undefined) select(to, true);
      event.preventDefault();
    } else if ((event.key === "Enter" || event.key === " ") && event.target === tree && hasKids(view.row)) {
      toggle(view.row);
      event.preventDefault();
    }
  }

  const onStep = () => {
    const ix = index();
    if (!ix.steps.length) return;
    const s = clampStep(model.get("step"));
    if (ix.steps[s] !== view.row) select(ix.steps[s], false);
    else updatePosition();
  };
  prev.addEventListener("click", () => go((model.get("step") || 0) - 1));
  next.addEventListener("click", () => go((model.get("step") || 0) + 1));
  slider.addEventListener("input", () => go(Number(slider.value)));
  tree.addEventListener("scroll", schedule);
  tree.addEventListener("keydown", onTreeKey);
  el.addEventListener("keydown", onKey);
  model.on("change:index", redraw);
  model.on("change:summary", drawSummary);
  model.on("change:step", onStep);
  model.on("msg:custom", onMessage);
  model.on("change:live_text", drawLive);
  drawLive();
  drawSummary();
  redraw();
  return () => {
    model.off("change:index", redraw);
    model.off("change:summary", drawSummary);
    model.off("change:step", onStep);
    model.off("msg:custom", onMessage);
    model.off("change:live_text", drawLive);
  };
}

export default { render };
