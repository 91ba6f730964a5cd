// kemu console: polls kemu's /_kemu/ JSON endpoints (docs/console.md) every second and draws
// the topology (SVG, names as text), the selected flow's alarms, mapping, DLQ, function log,
// stream and charts. Plain DOM, no framework; uPlot (embedded beside this file) draws charts.
"use strict";
(function () {
  const POLL_MS = 1000;
  const HISTORY = 300;  // chart points kept (5 minutes at one a second)
  const SVG = "http://www.w3.org/2000/svg";
  const $ = (id) => document.getElementById(id);
  const state = {
    flows: [], selected: null, prev: null, rates: {}, ageHist: {}, alarms: null,
    logCursor: 0, logFn: null, logLines: [], series: {}, charts: [], recordsKey: null,
  };

  async function getJson(path) {
    const r = await fetch(path, {cache: "no-store"});
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body.message || r.status + " " + r.statusText);
    return body;
  }
  async function postJson(path, body) {
    const r = await fetch(path, {method: "POST", body: body || "",
                                 headers: {"Content-Type": "application/json"}});
    const text = await r.text();
    let j;
    try { j = JSON.parse(text); } catch (e) { j = {message: text}; }
    return {status: r.status, body: j};
  }
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else e.setAttribute(k, v);
    }
    for (const k of kids) e.append(k instanceof Node ? k : String(k));
    return e;
  }
  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  const fmt = (v, d = 1) => (v === undefined || v === null ? "–" : Number(v).toFixed(d));
  const iso = (ms) => new Date(ms).toISOString();

  // ---- rates and trouble, from two /_kemu/status answers ----
  function updateRates(status, now) {
    const prev = state.prev;
    for (const f of status.flows) {
      const p = prev && prev.flows.find((x) => x.event_type === f.event_type);
      const dt = prev ? (now - prev.t) / 1000 : 0;
      const rate = (k) => (p && dt > 0 ? Math.max(0, ((f[k] || 0) - (p[k] || 0)) / dt) : 0);
      state.rates[f.event_type] = {
        inPerS: rate("incoming_records"), invPerS: rate("invocations"),
        errPerS: rate("errors"), thrPerS: rate("throttles"), recPerS: rate("invoked_events"),
      };
      const dInv = p ? (f.invocations || 0) - (p.invocations || 0) : 0;
      const durMs = dInv > 0 ? ((f.duration_us_sum || 0) - (p.duration_us_sum || 0)) / dInv / 1000 : null;
      const h = (state.ageHist[f.event_type] = state.ageHist[f.event_type] || []);
      h.push(f.iterator_age_ms || 0);
      if (h.length > 5) h.shift();
      const s = (state.series[f.event_type] = state.series[f.event_type] ||
                 {t: [], inc: [], rec: [], inv: [], err: [], thr: [], age: [], gage: [], dur: []});
      s.t.push(now / 1000);
      s.inc.push(state.rates[f.event_type].inPerS);
      s.rec.push(state.rates[f.event_type].recPerS);
      s.inv.push(state.rates[f.event_type].invPerS);
      s.dur.push(durMs);
      s.err.push(state.rates[f.event_type].errPerS);
      s.thr.push(state.rates[f.event_type].thrPerS);
      s.age.push(f.iterator_age_ms || 0);
      s.gage.push(f.get_records_iterator_age_ms || 0);
      if (s.t.length > HISTORY) for (const k in s) s[k].shift();
    }
    state.prev = {t: now, flows: status.flows};
  }
  function trouble(f) {
    const why = [];
    for (const [name, st] of Object.entries(f.alarms || {})) if (st === "ALARM") why.push(name + " in ALARM");
    if ((f.dlq_depth || 0) > 0) why.push("DLQ not empty");
    const h = state.ageHist[f.event_type] || [];
    if (h.length >= 3 && h[h.length - 1] > 1000 && h.every((v, i) => i === 0 || v > h[i - 1]))
      why.push("iterator age rising");
    return why;
  }

  // ---- topology ----
  function drawTopology() {
    const flows = state.flows;
    const rowH = 92, top = 30, w = 1300;
    const h = top + flows.length * rowH + 10;
    const root = svg("svg", {viewBox: `0 0 ${w} ${h}`, width: w, height: h, role: "group",
                             "aria-label": "pipeline topology"});
    const defs = svg("defs");
    const marker = svg("marker", {id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5,
                                  markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse"});
    marker.append(svg("path", {d: "M0,0 L10,5 L0,10 z", fill: "#555"}));
    defs.append(marker);
    root.append(defs);
    for (const [x, t] of [[10, "Front door"], [250, "Stream"], [570, "Processor"], [900, "DLQ"], [1110, "Alarms"]])
      root.append(svg("text", {x, y: 16, "font-weight": 600}, t));
    const fdY = top + (flows.length * rowH) / 2 - 30;
    const fd = svg("g", {class: "frontdoor"});
    fd.append(svg("rect", {class: "box", x: 10, y: fdY, width: 140, height: 60, rx: 6}));
    fd.append(svg("text", {x: 20, y: fdY + 25}, "API Gateway"));
    fd.append(svg("text", {x: 20, y: fdY + 45, class: "label"}, "POST /events/{type}"));
    root.append(fd);
    flows.forEach((f, i) => {
      const y = top + i * rowH;
      const r = state.rates[f.event_type] || {};
      const why = trouble(f);
      const g = svg("g", {class: "flow" + (why.length ? " trouble" : "") +
                                 (state.selected === f.event_type ? " selected" : ""),
                          tabindex: 0, role: "button", "data-flow": f.event_type,
                          "aria-label": `flow ${f.event_type}${why.length ? ": " + why.join(", ") : ""}`});
      g.append(svg("rect", {class: "row", x: 180, y: y + 2, width: w - 185, height: rowH - 6, rx: 8}));
      g.append(svg("title", {}, `flow ${f.event_type}`));
      // front door -> stream
      g.append(svg("path", {class: "edge", d: `M150,${fdY + 30} C200,${fdY + 30} 200,${y + 40} 248,${y + 40}`}));
      g.append(svg("text", {x: 190, y: y + 30, class: "label"}, `${fmt(r.inPerS)} ev/s`));
      const stream = svg("rect", {class: "box", x: 250, y: y + 12, width: 240, height: 58, rx: 6});
      g.append(stream);
      g.append(svg("text", {x: 260, y: y + 32}, f.stream));
      g.append(svg("text", {x: 260, y: y + 52, class: "label"},
                   `${f.open_shards ?? "?"} shard${f.open_shards === 1 ? "" : "s"}, ${f.stream_mode || ""}`));
      // stream -> processor
      g.append(svg("path", {class: "edge", d: `M490,${y + 40} L568,${y + 40}`}));
      g.append(svg("text", {x: 494, y: y + 33, class: "label"}, `${fmt(r.recPerS)} rec/s`));
      const ageBad = why.includes("iterator age rising");
      g.append(svg("text", {x: 494, y: y + 58, class: "label" + (ageBad ? " bad" : "")},
                   `age ${f.iterator_age_ms ?? 0} ms`));
      g.append(svg("rect", {class: "box", x: 570, y: y + 12, width: 260, height: 58, rx: 6}));
      g.append(svg("text", {x: 580, y: y + 32}, f.function));
      g.append(svg("text", {x: 580, y: y + 52, class: "label" + ((f.errors || 0) > 0 ? " bad" : "")},
                   `${f.invocations || 0} inv, ${f.errors || 0} errors, ${f.throttles || 0} throttles`));
      // processor -> DLQ
      if (f.dlq) {
        const depth = f.dlq_depth || 0;
        g.append(svg("path", {class: "edge", d: `M830,${y + 40} L898,${y + 40}`}));
        g.append(svg("text", {x: 834, y: y + 33, class: "label" + (r.errPerS > 0 ? " bad" : "")},
                     `${fmt(r.errPerS)} err/s`));
        g.append(svg("rect", {class: "box" + (depth > 0 ? " hot" : ""), x: 900, y: y + 12, width: 190, height: 58, rx: 6}));
        g.append(svg("text", {x: 908, y: y + 32}, f.dlq));
        g.append(svg("text", {x: 908, y: y + 52, class: "label" + (depth > 0 ? " bad" : "")},
                     `depth ${depth}`));
      }
      let ay = y + 24;
      for (const [name, st] of Object.entries(f.alarms || {})) {
        g.append(svg("text", {x: 1110, y: ay, class: "label" + (st === "ALARM" ? " bad" : "")},
                     `${name}: ${st}`));
        ay += 16;
      }
      g.addEventListener("click", () => select(f.event_type));
      g.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); select(f.event_type, true); }
      });
      root.append(g);
    });
    const box = $("topology");
    const focused = document.activeElement && document.activeElement.getAttribute &&
                    document.activeElement.getAttribute("data-flow");
    box.replaceChildren(root);
    if (focused) {
      const again = box.querySelector(`[data-flow="${CSS.escape(focused)}"]`);
      if (again) again.focus();
    }
  }

  function select(flow, focus) {
    if (state.selected === flow) { if (focus) $("flow").focus(); return; }
    state.selected = flow;
    $("flow-select").value = flow;
    state.logCursor = 0; state.logLines = []; state.recordsKey = null;
    $("logs").replaceChildren(); $("records").tBodies[0].replaceChildren();
    $("replay-result").textContent = "";
    state.dlqKey = null;
    for (const c of state.charts) c.plot.destroy();
    state.charts = [];
    $("charts").replaceChildren();
    drawTopology();
    refreshFlow(true);
    if (focus) $("flow").focus();
  }

  // ---- selected flow ----
  const flowOf = () => state.flows.find((f) => f.event_type === state.selected);

  function drawAlarms(f) {
    const tb = $("alarms").tBodies[0];
    const prefix = f.function.replace(/-processor$/, "").replace(new RegExp(f.event_type + "$"), "") + f.event_type + "-";
    const mine = (state.alarms ? state.alarms.MetricAlarms : []).filter((a) => a.AlarmName.startsWith(prefix));
    tb.replaceChildren(...mine.map((a) => el("tr", {},
      el("td", {}, a.AlarmName), el("td", {class: "state-" + a.StateValue}, a.StateValue),
      el("td", {}, `${a.Namespace} ${a.MetricName} ${a.Statistic} > ${a.Threshold} (${a.Period} s x ${a.EvaluationPeriods})`),
      el("td", {}, a.StateReason || ""))));
    const hist = (state.alarms ? state.alarms.AlarmHistory : []).filter((h) => h.AlarmName.startsWith(prefix));
    $("alarm-history").replaceChildren(...hist.slice(-20).reverse().map((h) =>
      el("li", {}, `${h.Timestamp} ${h.AlarmName}: ${h.HistorySummary}`)));
    if (!hist.length) $("alarm-history").append(el("li", {}, "no state changes yet"));
  }

  function drawMapping(f) {
    const rows = [["Function", f.function], ["Enabled", String(f.mapping_enabled)],
                  ["Parallelization factor", f.parallelization_factor], ["Lanes", f.lanes],
                  ["Environments (busy)", `${f.environments ?? "–"} (${f.busy ?? "–"})`],
                  ["Stream mode", f.stream_mode]];
    for (const [k, v] of Object.entries(f.mapping || {})) rows.push([k, String(v)]);
    for (const [k, v] of Object.entries(f.mapping_changed || {}))
      rows.push([k + " (changed)", `${v.kemu_yaml} → ${v.live}`]);
    $("mapping").tBodies[0].replaceChildren(...rows.map(([k, v]) => el("tr", {}, el("th", {scope: "row"}, k), el("td", {}, v ?? "–"))));
  }

  async function drawDlq(f) {
    $("dlq-name").textContent = f.dlq || "(none: dlq_enabled is false)";
    $("replay-button").disabled = !f.dlq;
    const tb = $("dlq").tBodies[0];
    if (!f.dlq) { tb.replaceChildren(); state.dlqKey = null; return; }
    const j = await getJson(`/_kemu/sqs/queues/${encodeURIComponent(f.dlq)}/messages?max=100`);
    // Redrawn only when the messages change, so that a focused button keeps its focus.
    const key = f.dlq + JSON.stringify(j.messages.map((m) => m.messageId));
    if (state.dlqKey === key) return;
    state.dlqKey = key;
    tb.replaceChildren(...j.messages.map((m) => {
      let b = {};
      try { b = JSON.parse(m.body); } catch (e) { /* shown raw below */ }
      const rc = b.requestContext || {}, info = b.KinesisBatchInfo || {}, resp = b.responseContext || {};
      if (!info.shardId) return el("tr", {}, el("td", {colspan: 7, class: "mono"}, m.body));
      const read = el("button", {type: "button"}, "Read these records");
      read.addEventListener("click", () => {
        $("rec-shard").value = info.shardId;
        $("rec-type").value = "AT_SEQUENCE_NUMBER";
        $("rec-at").value = info.startSequenceNumber;
        $("rec-live").checked = false;
        readRecords(f, Number(info.batchSize) || 100).then(() => $("records").scrollIntoView());
      });
      return el("tr", {class: "dlq-message"},
        el("td", {}, `${rc.condition}${resp.functionError ? " (" + resp.functionError + ")" : ""}`),
        el("td", {}, rc.approximateInvokeCount ?? "–"), el("td", {}, info.batchSize ?? "–"),
        el("td", {class: "mono"}, info.shardId),
        el("td", {class: "mono"}, `${info.startSequenceNumber} .. ${info.endSequenceNumber}`),
        el("td", {}, b.timestamp || iso(Number(m.sentTimestamp))), el("td", {}, read));
    }));
    if (!j.messages.length) tb.append(el("tr", {}, el("td", {colspan: 7}, "empty")));
  }

  async function drawLogs(f) {
    if (state.logFn !== f.function) { state.logFn = f.function; state.logCursor = 0; state.logLines = []; }
    $("logs-fn").textContent = "/aws/lambda/" + f.function;
    const j = await getJson(`/_kemu/logs?function=${encodeURIComponent(f.function)}&after=${state.logCursor}&limit=500`);
    state.logCursor = j.cursor;
    if (!j.events.length && $("logs").childElementCount === state.logLines.length && state.logLines.length) return;
    state.logLines.push(...j.events);
    if (state.logLines.length > 1000) state.logLines.splice(0, state.logLines.length - 1000);
    renderLogs();
  }
  function renderLogs() {
    const needle = $("logs-filter").value.toLowerCase();
    const platform = $("logs-platform").checked;
    const box = $("logs");
    const atEnd = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
    box.replaceChildren(...state.logLines.filter((e) => {
      const p = /^(START|END|REPORT|INIT_START) /.test(e.message);
      return (platform || !p) && (!needle || e.message.toLowerCase().includes(needle));
    }).map((e) => {
      const p = /^(START|END|REPORT|INIT_START) /.test(e.message);
      const err = /\[ERROR\]|Traceback|Task timed out/.test(e.message);
      return el("li", {class: p ? "platform" : err ? "error" : "", title: e.stream},
                `${iso(e.timestamp_ms).slice(11, 23)}  ${e.message.replace(/\n$/, "")}`);
    }));
    if (atEnd) box.scrollTop = box.scrollHeight;
  }

  async function drawShards(f) {
    $("stream-name").textContent = f.stream;
    const j = await getJson(`/_kemu/streams/${encodeURIComponent(f.stream)}/shards`);
    $("shards").tBodies[0].replaceChildren(...j.shards.map((s) => el("tr", {},
      el("td", {class: "mono"}, s.shard_id),
      el("td", {class: "mono"}, `${s.hash_start} .. ${s.hash_end}`),
      el("td", {class: "mono"}, [s.parent, s.adjacent_parent].filter(Boolean).join(", ") || "–"),
      el("td", {class: "mono"}, `${s.starting_sequence} .. ${s.ending_sequence || "(open)"}`),
      el("td", {}, s.open ? "open" : "closed"))));
    const sel = $("rec-shard");
    const ids = j.shards.map((s) => s.shard_id);
    if ([...sel.options].map((o) => o.value).join() !== ids.join()) {
      const keep = sel.value;
      sel.replaceChildren(...ids.map((id) => el("option", {}, id)));
      if (ids.includes(keep)) sel.value = keep;
    }
  }

  function decode(b64) {
    const bin = atob(b64);
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    let text = null;
    try { text = new TextDecoder("utf-8", {fatal: true}).decode(bytes); } catch (e) { /* binary */ }
    if (text !== null) {
      try { return {kind: "json", text: JSON.stringify(JSON.parse(text), null, 2)}; } catch (e) { /* text */ }
      if (!/[\u0000-\u0008\u000e-\u001f]/.test(text)) return {kind: "text", text};
    }
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0"));
    const lines = [];
    for (let i = 0; i < hex.length; i += 16) lines.push(hex.slice(i, i + 16).join(" "));
    return {kind: "hex", text: lines.join("\n")};
  }

  async function readRecords(f, limit) {
    const type = $("rec-type").value;
    let at = $("rec-at").value.trim();
    if (type === "AT_TIMESTAMP" && at && !/^\d+$/.test(at)) at = String(Date.parse(at));
    const q = new URLSearchParams({shard: $("rec-shard").value || "shardId-000000000000", type, at, limit: String(limit || 100)});
    const tb = $("records").tBodies[0];
    try {
      const j = await getJson(`/_kemu/streams/${encodeURIComponent(f.stream)}/records?${q}`);
      tb.replaceChildren(...j.records.map((r) => {
        const d = decode(r.data_base64);
        return el("tr", {class: "record"}, el("td", {class: "mono"}, r.sequence_number),
                  el("td", {class: "mono"}, r.partition_key), el("td", {}, iso(r.arrival_ms)),
                  el("td", {class: "data"}, el("small", {}, d.kind), el("pre", {}, d.text)));
      }));
      if (!j.records.length) tb.append(el("tr", {}, el("td", {colspan: 4}, "no records from this position")));
    } catch (e) {
      tb.replaceChildren(el("tr", {}, el("td", {colspan: 4}, "error: " + e.message)));
    }
  }

  function drawCharts(f) {
    const s = state.series[f.event_type];
    if (!s || typeof uPlot === "undefined") return;
    const defs = [
      ["Records /s", [["incoming/s", s.inc, "#0b57d0"], ["processed/s", s.rec, "#0b6b2b"]]],
      ["Invocations, errors, throttles /s", [["invocations/s", s.inv, "#0b6b2b"], ["errors/s", s.err, "#b00020"], ["throttles/s", s.thr, "#8a4b00"]]],
      ["Iterator ages (ms)", [["Lambda IteratorAge", s.age, "#5b2a86"], ["GetRecords IteratorAgeMilliseconds", s.gage, "#0b57d0"]]],
      ["Handler duration (ms, mean per second)", [["duration ms", s.dur, "#8a4b00"]]],
    ];
    if (!state.charts.length) {
      for (const [title, series] of defs) {
        const box = el("figure", {class: "chart"}, el("figcaption", {}, title));
        $("charts").append(box);
        const plot = new uPlot({width: 360, height: 180, series: [{}, ...series.map(([label, , stroke]) => ({label, stroke, width: 1.5}))],
                                axes: [{}, {size: 50}]}, [s.t, ...series.map(([, d]) => d)], box);
        state.charts.push({title, plot, series});
      }
      window.kemuCharts = state.charts;
    } else {
      defs.forEach(([, series], i) => state.charts[i].plot.setData([s.t, ...series.map(([, d]) => d)]));
    }
  }

  async function refreshFlow(full) {
    const f = flowOf();
    if (!f) return;
    $("flow-title").firstChild.textContent = "Flow ";
    drawAlarms(f);
    drawMapping(f);
    drawCharts(f);
    const jobs = [drawDlq(f), drawLogs(f)];
    if (full || !state.shardsDone) { jobs.push(drawShards(f).then(() => { state.shardsDone = true; })); }
    await Promise.all(jobs);
    if (full || $("rec-live").checked) await readRecords(f);
  }

  // ---- polling ----
  let busy = false;
  async function poll() {
    if (busy) return;
    busy = true;
    try {
      const [status, alarms] = await Promise.all([getJson("/_kemu/status"), getJson("/_kemu/alarms")]);
      state.flows = status.flows;
      state.alarms = alarms;
      updateRates(status, Date.now());
      const names = state.flows.map((f) => f.event_type);
      for (const id of ["send-type", "flow-select"]) {
        const sel = $(id);
        if ([...sel.options].map((o) => o.value).join() !== names.join()) {
          sel.replaceChildren(...names.map((n) => el("option", {}, n)));
        }
      }
      if (!state.selected && names.length) {
        state.selected = names[0];
        $("flow-select").value = names[0];
        sampleBody();
      }
      drawTopology();
      await refreshFlow(false);
      $("conn").textContent = "live: polling every second, " + new Date().toLocaleTimeString();
      document.body.dataset.ready = "1";
    } catch (e) {
      $("conn").textContent = "kemu unreachable: " + e.message;
    } finally {
      busy = false;
    }
  }

  const SAMPLES = {
    orders: {order_id: "ORD-1001", type: "created", items: [{sku: "SKU-1", quantity: 2}], total_amount: 42.5, currency: "USD"},
    payments: {payment_id: "PAY-1001", order_id: "ORD-1001", status: "captured", amount: 42.5, currency: "USD"},
    user_activity: {user_id: "user42", action: "page_view", page: "/console"},
  };
  function sampleBody() {
    const t = $("send-type").value;
    $("send-body").value = JSON.stringify(SAMPLES[t] || {hello: "kemu"}, null, 1);
  }

  $("send-type").addEventListener("change", sampleBody);
  $("send-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const type = $("send-type").value;
    const r = await postJson(`/_kemu/console/send?type=${encodeURIComponent(type)}`, $("send-body").value);
    const b = r.body;
    let detail = b.body;
    try { detail = JSON.stringify(JSON.parse(b.body)); } catch (err) { /* as is */ }
    $("send-result").textContent = r.status === 200
      ? `${b.target} → ${b.status} ${detail}` : `refused (${r.status}): ${b.message}`;
    if (type !== state.selected) select(type);
  });
  $("flow-select").addEventListener("change", (e) => select(e.target.value));
  $("logs-filter").addEventListener("input", renderLogs);
  $("logs-platform").addEventListener("change", renderLogs);
  $("records-form").addEventListener("submit", (e) => { e.preventDefault(); const f = flowOf(); if (f) readRecords(f); });
  $("replay-button").addEventListener("click", async () => {
    const f = flowOf();
    if (!f) return;
    $("replay-button").disabled = true;
    $("replay-result").textContent = "replaying…";
    try {
      const r = await postJson(`/_kemu/flows/${encodeURIComponent(f.event_type)}/replay`);
      const b = r.body;
      $("replay-result").textContent = r.status === 200
        ? `replayed ${b.replayed}, failed ${b.failed}` + (b.results || []).map((x) => `\n${x.messageId}: ${x.ok ? "ok" : "failed"} (${x.records} records) ${x.detail || ""}`).join("")
        : `refused (${r.status}): ${b.message}`;
    } finally {
      $("replay-button").disabled = false;
      poll();
    }
  });

  poll();
  setInterval(poll, POLL_MS);
})();
