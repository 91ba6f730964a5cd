// kemu load's report.html: draws the results JSON inlined in #kemu-results with uPlot (inlined
// before this script). Every name is set as text (textContent), never as markup. The charts
// are listed in window.kemuCharts ({title, plot}) for the browser test.
(function () {
  "use strict";
  const results = JSON.parse(document.getElementById("kemu-results").textContent);
  const root = document.getElementById("report");
  root.textContent = "";
  window.kemuCharts = [];
  const palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function section(title) {
    const s = el("section");
    s.appendChild(el("h2", title));
    root.appendChild(s);
    return s;
  }
  function num(v, digits) {
    if (v === null || v === undefined || Number.isNaN(v)) return "-";
    return Number(v).toLocaleString("en-US", {maximumFractionDigits: digits === undefined ? 1 : digits});
  }
  function usd(v) {
    if (v === null || v === undefined) return "-";
    return "$" + Number(v).toLocaleString("en-US", {minimumFractionDigits: 2, maximumFractionDigits: 2});
  }
  function table(parent, head, rows, cls) {
    const t = el("table", null, cls);
    const tr = el("tr");
    head.forEach((h) => tr.appendChild(el("th", h)));
    t.appendChild(el("thead")).appendChild(tr);
    const body = el("tbody");
    rows.forEach((r) => {
      const row = el("tr");
      (r.cells || r).forEach((c) => {
        if (c instanceof Node) row.appendChild(el("td")).appendChild(c);
        else row.appendChild(el("td", c));
      });
      if (r.cls) row.className = r.cls;
      body.appendChild(row);
    });
    t.appendChild(body);
    parent.appendChild(t);
    return t;
  }
  function keyValues(parent, pairs) {
    const dl = el("dl", null, "kv");
    pairs.forEach(([k, v]) => {
      if (v === undefined || v === null || v === "") return;
      dl.appendChild(el("dt", k));
      dl.appendChild(el("dd", typeof v === "object" ? JSON.stringify(v) : v));
    });
    parent.appendChild(dl);
  }
  function width(parent) {
    return Math.max(360, Math.min(parent.clientWidth || 900, 1100));
  }
  // One uPlot line chart over seconds: `lines` are [label, values, unit].
  function lineChart(parent, title, xs, lines, yLabel) {
    const box = el("div", null, "chart");
    box.appendChild(el("h3", title));
    parent.appendChild(box);
    const opts = {
      width: width(parent),
      height: 240,
      scales: {x: {time: false}},
      axes: [{label: "seconds from the start"}, {label: yLabel, size: 70}],
      series: [{label: "s"}].concat(lines.map(([label], i) => ({
        label: label, stroke: palette[i % palette.length], width: 2, spanGaps: true,
        dash: i === 0 && lines.length > 1 && label === "offered" ? [8, 4] : undefined,
        points: {show: xs.length < 40},
      }))),
    };
    const plot = new uPlot(opts, [xs].concat(lines.map((l) => l[1])), box);
    window.kemuCharts.push({title: title, plot: plot});
    return plot;
  }
  function environment(parent, r) {
    const m = r.machine || {};
    keyValues(parent, [
      ["kemu version", r.kemu_version],
      ["CPU", m.cpu_model],
      ["cores", m.cores],
      ["system", m.os],
    ]);
  }
  function costSection(cost, title) {
    const s = section(title);
    s.appendChild(el("p", "An estimate at " + cost.region + " list prices as of " + cost.prices_as_of +
                     ", not a bill, at " + num(cost.events_per_s) + " events/s of " +
                     num(cost.event_bytes, 0) + " bytes, " + cost.events_per_request +
                     " per request, " + cost.shards + " shard(s), 730 hours a month.", "note"));
    table(s, ["service", "item", "USD/month"],
          (cost.lines || []).map((l) => [l.service, l.item, usd(l.usd_month)])
              .concat([{cells: ["total", "x86_64 Lambda, provisioned stream", usd(cost.total_usd_month)], cls: "total"}]),
          "cost");
    keyValues(s, [
      ["Lambda on arm64 instead (requests and GB-seconds)", usd(cost.lambda_arm64_usd_month)],
      ["Kinesis on-demand instead (stream-hours and data)", usd(cost.kinesis_on_demand_usd_month)],
      ["prices from", cost.source],
    ]);
    const byBatch = cost.apigw_rest_usd_month_by_events_per_request;
    if (byBatch) {
      s.appendChild(el("h3", "API Gateway REST: per request, so batching is the lever"));
      const keys = Object.keys(byBatch).map(Number).sort((a, b) => a - b);
      const max = Math.max.apply(null, keys.map((k) => byBatch[k]));
      table(s, ["events per request", "requests/month", "USD/month", ""], keys.map((k) => {
        const bar = el("span", null, "bar");
        bar.style.width = (max > 0 ? Math.max(0.5, 100 * byBatch[k] / max) : 0) + "%";
        const label = String(k) + (k === 1 ? " (one event per request)" : "") +
                      (k === cost.events_per_request ? " (this run)" : "");
        const row = [label,
                     num(cost.events_per_s * 730 * 3600 / k, 0), usd(byBatch[k]), bar];
        return {cells: row, cls: k === cost.events_per_request ? "current" : ""};
      }), "apigw");
      s.appendChild(el("p", "Same events, same rate: one event per request costs " +
                       num(byBatch[keys[keys.length - 1]] > 0 ? byBatch[keys[0]] / byBatch[keys[keys.length - 1]] : 0, 0) +
                       " times what " + keys[keys.length - 1] + " per batch request cost.", "note"));
    }
  }

  function runReport(r) {
    const st = r.settings || {};
    const flow = st.flow || "";
    const s = r.summary || {};
    const head = section("Run");
    if (r.interrupted) head.appendChild(el("p", "Interrupted (Ctrl-C): the results cover what was sent.", "warn"));
    keyValues(head, [
      ["flow", flow], ["config", st.config], ["target", st.target], ["endpoint", st.endpoint],
      ["rate (events/s)", st.rate], ["ramp", st.ramp], ["duration", st.duration_ms !== undefined ? num(st.duration_ms / 1000) + " s" : ""],
      ["events per request", st.batch_per_request], ["shards", st.shard_count],
      ["batch size", st.batch_size], ["batch window (s)", st.batch_window_seconds],
      ["parallelization factor", st.parallelization_factor], ["Lambda memory (MB)", st.lambda_memory_size],
      ["--set", (st.sets || []).join(" ")], ["template", st.template],
    ]);
    environment(head, r);

    const sum = section("Summary");
    const lat = s.latency_ms || {};
    table(sum, ["measure", "value"], [
      ["offered / accepted (events/s)", num(s.offered_rate) + " / " + num(s.accepted_rate)],
      ["events offered / accepted / processed", [s.offered_events, s.accepted_events, s.events_processed].map((v) => num(v, 0)).join(" / ")],
      ["throttled ratio (429s and shard throttles over offered)", num(s.throttled_ratio, 4)],
      ["front-door 429 / 5xx requests", num(s.throttled_429_requests, 0) + " / " + num(s.server_error_requests, 0)],
      ["PutRecords throttled / failed records", num(s.partial_throttled_records, 0) + " / " + num(s.partial_failed_records, 0)],
      ["latency to handler end p50 / p90 / p99 / max (ms)", [lat.p50, lat.p90, lat.p99, lat.max].map((v) => num(v)).join(" / ")],
      ["iterator age max: function / stream (ms)", num(s.iterator_age_ms, 0) + " / " + num(s.stream_iterator_age_ms, 0)],
      ["invocations / errors / DLQ messages", [s.invocations, s.errors, s.dlq_messages].map((v) => num(v, 0)).join(" / ")],
      ["records per invocation mean / max", s.records_per_invocation ? num(s.records_per_invocation.mean) + " / " + num(s.records_per_invocation.max, 0) : "-"],
      ["kemu itself: CPU share of a core / peak memory", s.kemu_cpu_share !== undefined ? num(100 * s.kemu_cpu_share, 0) + "% / " + num(s.kemu_peak_rss_mb, 0) + " MB" : "-"],
    ], "summary");
    if ((r.thresholds || []).length) {
      sum.appendChild(el("h3", "Thresholds"));
      table(sum, ["expression", "measured", "result"], r.thresholds.map((t) => ({
        cells: [t.expression, t.value === null ? "not measured" : num(t.value, 3), t.passed ? "passed" : "FAILED"],
        cls: t.passed ? "" : "failed",
      })));
    }

    const series = r.series || [];
    const xs = series.map((row) => row.second);
    const col = (k) => series.map((row) => (row[k] === undefined ? null : row[k]));
    // The sender's numbers stop with the run; the rows after it (the drain) only have status.
    const during = (k) => series.map((row) => (row[k] === undefined ||
        (s.duration_s !== undefined && row.second >= s.duration_s) ? null : row[k]));
    const charts = section("Over time: " + flow);
    lineChart(charts, flow + ": offered and accepted events/s", xs, [
      ["offered", during("offered")], ["accepted", during("accepted")],
      ["throttled", during("offered").map((v, i) => v === null ? null : (series[i].throttled_429 || 0) + (series[i].partial_throttled || 0))],
    ], "events/s");
    lineChart(charts, flow + ": latency from due time to handler end (ms)", xs, [
      ["p50", col("latency_p50_ms")], ["p90", col("latency_p90_ms")], ["p99", col("latency_p99_ms")],
    ], "ms");
    lineChart(charts, flow + ": iterator age (ms)", xs, [
      ["function IteratorAge", col("iterator_age_ms")],
      ["stream GetRecords.IteratorAgeMilliseconds", col("stream_iterator_age_ms")],
    ], "ms");
    if (r.cost) costSection(r.cost, "Cost on AWS (estimate)");
  }

  function sweepReport(r) {
    const points = r.points || [];
    const head = section("Sweep");
    if (r.interrupted) head.appendChild(el("p", "Interrupted (Ctrl-C): only the points run are shown.", "warn"));
    const first = (points[0] || {}).settings || {};
    keyValues(head, [
      ["flow", first.flow], ["config", first.config], ["target", first.target],
      ["rate (events/s)", first.rate], ["ramp", first.ramp],
      ["duration per point", first.duration_ms !== undefined ? num(first.duration_ms / 1000) + " s" : ""],
      ["events per request", first.batch_per_request],
      ["strategy", r.strategy],
      ["max p99 (ms)", r.max_p99_ms], ["max iterator age (ms)", r.max_iterator_age_ms],
      ["points", points.length],
    ]);
    environment(head, r);
    if (points.some((p) => p.set && "lambda_memory_size" in p.set))
      head.appendChild(el("p", "lambda_memory_size changes the cost estimate only: locally a handler " +
                          "runs at the machine's speed whatever its memory, while on AWS memory " +
                          "also sets its share of CPU.", "note"));
    const rec = r.recommendation;
    head.appendChild(el("p", rec ? "Recommended (" + r.strategy + "): " + rec.label
                                 : "No point within the constraints: no recommendation.",
                        rec ? "recommendation" : "warn"));

    const tab = section("Points");
    table(tab, ["point", "accepted/s", "throttled", "p99 ms", "iterator age ms",
                "records/invocation", "USD/month", "API Gateway USD/month", "report"],
          points.map((p) => {
            const link = el("a", "point report");
            if (p.report) link.href = p.report;
            const gw = p.cost ? (p.cost.lines || []).filter((l) => l.service === "API Gateway")
                                   .reduce((a, l) => a + l.usd_month, 0) : null;
            return {
              cells: [p.label, num(p.accepted_rate), num(p.throttled_ratio, 3), num(p.p99_latency_ms),
                      num(p.iterator_age_ms, 0), p.records_per_invocation ? num(p.records_per_invocation.mean) : "-",
                      usd(p.usd_month), usd(gw), p.report ? link : "-"],
              cls: (rec && rec.label === p.label ? "current " : "") + (p.within_constraints ? "" : "outside"),
            };
          }), "points");

    // Cost against p99: one dot per point with a p99 (sorted by p99), the recommended apart.
    const measured = points.filter((p) => p.p99_latency_ms !== null && p.p99_latency_ms !== undefined)
                           .sort((a, b) => a.p99_latency_ms - b.p99_latency_ms);
    const sc = section("Cost against p99");
    const box = el("div", null, "chart");
    box.appendChild(el("h3", "USD/month against p99 latency, one dot per point"));
    sc.appendChild(box);
    const xs = measured.map((p) => p.p99_latency_ms);
    const dots = {show: true, size: 9};
    const plot = new uPlot({
      width: width(sc), height: 300,
      // Padded ranges, so that no dot sits on the frame.
      scales: {x: {time: false, range: (u, min, max) => uPlot.rangeNum(min, max, 0.2, true)},
               y: {range: (u, min, max) => uPlot.rangeNum(min, max, 0.2, true)}},
      axes: [{label: "p99 latency (ms)"}, {label: "USD/month", size: 80}],
      series: [{label: "p99 ms"},
               {label: "point", stroke: palette[0], fill: palette[0], paths: () => null, points: dots},
               {label: "recommended", stroke: palette[1], fill: palette[1], paths: () => null, points: {show: true, size: 13}}],
    }, [xs, measured.map((p) => p.usd_month),
        measured.map((p) => (rec && p.label === rec.label ? p.usd_month : null))], box);
    window.kemuCharts.push({title: "cost against p99", plot: plot});
    const names = el("ol", null, "dots");
    measured.forEach((p) => names.appendChild(el("li", num(p.p99_latency_ms) + " ms, " + usd(p.usd_month) + ": " + p.label)));
    sc.appendChild(names);
    const withCost = rec && rec.cost ? rec : points.find((p) => p.cost);
    if (withCost) costSection(withCost.cost, "Cost on AWS (estimate) at " + withCost.label);
  }

  if (results.schema === "kemu-load-sweep/1") sweepReport(results);
  else runReport(results);
})();
