// Checks a memory-bench.jar JSON report from `all`: every scenario ran and measured something.
// Usage: node bench/check_report.mjs bench-all.json   (exit 1 with the reason otherwise)
import { readFileSync } from "node:fs";

const report = JSON.parse(readFileSync(process.argv[2], "utf8"));
const s = report.scenarios ?? {};
const problems = [];
const need = (cond, what) => { if (!cond) problems.push(what); };

const step = s.latency?.sizes?.[0];
need(step?.remember?.n > 0, "latency: no remember samples");
for (const t of ["hybrid", "semantic", "keyword"]) {
  need(step?.recall?.[t]?.latency_ms?.n > 0, `latency: no ${t} recall samples`);
  need(step?.recall?.[t]?.throughput?.per_second > 0, `latency: no ${t} throughput`);
  need(s.quality?.results?.[t]?.all?.queries > 0, `quality: no ${t} results`);
  need(s.quality?.latency_ms?.[t]?.n > 0, `quality: no ${t} search latency`);
}
need(step?.rss_mib_after_recall > 0, "latency: resident memory not read");
need(s.dedupe?.pairs > 0 && Object.keys(s.dedupe?.results ?? {}).length === 6, "dedupe: no pairs judged");
// the recall gate: both sides asked, and it told them apart at least somewhat (a broken gate says
// "needed" to everything or to nothing)
need(s.gate?.configured?.positives > 0 && s.gate?.configured?.negatives > 0, "gate: no messages asked");
need(s.gate?.configured?.recall > 0 && s.gate?.configured?.false_alarm_rate < 1, `gate: no separation ${JSON.stringify(s.gate?.configured)}`);
need(s.gate?.latency_ms?.filled_namespace?.n > 0, "gate: no latency samples");
need(s.mcp?.mcp_recall_ms?.n > 0 && s.mcp?.rest_search_ms?.n > 0, "mcp: no samples");
need(s.ingest?.ack_ms?.n > 0, "ingest: no acknowledgements measured");
need(s.ingest?.errors === 0, `ingest: ${s.ingest?.errors} errors ${JSON.stringify(s.ingest?.error_samples)}`);
need(s.ingest?.backlog_drained === true, "ingest: the backlog did not drain");
need(Array.isArray(report.budgets), "no budget check");

if (problems.length) {
  console.error("bench report incomplete:\n  " + problems.join("\n  "));
  process.exit(1);
}
console.log(`bench report ok: hybrid p50 ${step.recall.hybrid.latency_ms.p50} ms at ${step.size}, ` +
  `MCP p50 ${s.mcp.mcp_recall_ms.p50} ms, ingest ack p99 ${s.ingest.ack_ms.p99} ms, ` +
  `hybrid recall@5 ${s.quality.results.hybrid.all["recall@5"]}, dedupe pairs ${s.dedupe.pairs}, ` +
  `gate F1 ${s.gate.configured.f1} (false alarms ${s.gate.configured.false_alarm_rate})`);
