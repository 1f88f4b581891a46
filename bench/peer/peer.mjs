#!/usr/bin/env node
// Peer side by side (issue 5): the same remember + search workload, over MCP stdio, against
// @modelcontextprotocol/server-memory (the reference MCP memory server, from npm) and against this
// memory service (java -jar server/target/memory-server.jar mcp-stdio), in one run. Prints the
// latency of each operation for each server and the ratio, the start-up time, and what each found
// (hits@1/5/10 against the dataset's gold ids); writes everything to a JSON file with --out.
//
//   npm ci --prefix bench/peer
//   node bench/peer/peer.mjs [--dataset DIR] [--jar FILE] [--k 10] [--out FILE]
//                            [--limit-memories N] [--limit-queries N] [--namespace NS[,NS]]
//                            [--timeout-s 900] [--keep] [--verbose]
//
// Relative paths given on the command line are resolved against the repository root, so the
// script behaves the same from any working directory. See README.md next to this file.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport, getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, "..", "..");
const require = createRequire(import.meta.url);

const USAGE = `usage: node bench/peer/peer.mjs [options]
  --dataset DIR         dataset directory with memories.jsonl and queries.jsonl
                        (default bench/datasets/handmade)
  --jar FILE            the memory service jar (default server/target/memory-server.jar)
  --java CMD            java executable (default: $JAVA_HOME/bin/java if set, else java)
  --namespace NS[,NS]   only these dataset namespaces (default: every namespace, in file order)
  --limit-memories N    load only the first N memories of each namespace (smoke runs)
  --limit-queries N     run only the first N scorable queries of each namespace (smoke runs)
  --k N                 results per search and the deepest cutoff scored (default 10, 1..50)
  --out FILE            write the full results as JSON
  --timeout-s S         give up (and stop both servers) after S seconds (default 900)
  --keep                keep the temporary data directories
  --verbose             copy the servers' stderr to this process's stderr
Relative paths are resolved against the repository root (${REPO_ROOT}).`;

// ---------------------------------------------------------------------------------------------
// Options

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      dataset: { type: "string", default: "bench/datasets/handmade" },
      jar: { type: "string", default: "server/target/memory-server.jar" },
      java: { type: "string" },
      namespace: { type: "string" },
      "limit-memories": { type: "string" },
      "limit-queries": { type: "string" },
      k: { type: "string", default: "10" },
      out: { type: "string" },
      "timeout-s": { type: "string", default: "900" },
      keep: { type: "boolean", default: false },
      verbose: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name, min, max) => {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new UsageError(`--${name} must be an integer in ${min}..${max}, got ${JSON.stringify(raw)}`);
    }
    return n;
  };
  const fromRoot = (p) => (p === undefined ? undefined : path.resolve(REPO_ROOT, p));
  return {
    dataset: fromRoot(values.dataset),
    jar: fromRoot(values.jar),
    java: values.java ?? (process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, "bin", "java") : "java"),
    namespaces: values.namespace ? values.namespace.split(",").map((s) => s.trim()).filter(Boolean) : undefined,
    limitMemories: int("limit-memories", 1, 1_000_000),
    limitQueries: int("limit-queries", 1, 1_000_000),
    k: int("k", 1, 50),
    out: fromRoot(values.out),
    timeoutS: int("timeout-s", 1, 86_400),
    keep: values.keep,
    verbose: values.verbose,
  };
}

class UsageError extends Error {}
class SetupError extends Error {} // a missing jar, package or file: the message says what to do

// ---------------------------------------------------------------------------------------------
// Dataset

function readJsonl(file) {
  if (!fs.existsSync(file)) throw new SetupError(`dataset file not found: ${file}`);
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .map((line, i) => [line.trim(), i + 1])
    .filter(([line]) => line !== "")
    .map(([line, no]) => {
      try {
        return JSON.parse(line);
      } catch (e) {
        throw new Error(`${file}:${no}: not JSON: ${e.message}`);
      }
    });
}

function loadDataset(dir) {
  const memories = readJsonl(path.join(dir, "memories.jsonl"));
  const queries = readJsonl(path.join(dir, "queries.jsonl"));
  for (const m of memories) {
    if (typeof m.id !== "string" || typeof m.namespace !== "string" || typeof m.content !== "string") {
      throw new Error(`memories.jsonl: a line lacks id/namespace/content: ${JSON.stringify(m).slice(0, 200)}`);
    }
  }
  for (const q of queries) {
    if (typeof q.namespace !== "string" || typeof q.query !== "string" || !Array.isArray(q.gold) || q.gold.length === 0) {
      throw new Error(`queries.jsonl: a line lacks namespace/query/gold: ${JSON.stringify(q).slice(0, 200)}`);
    }
  }
  return { memories, queries };
}

// The workload of one namespace: the first N memories, and the queries whose gold ids were all
// loaded (a query with a gold memory left out could not be answered fully by either server).
function namespaceWorkload(dataset, ns, opts) {
  let memories = dataset.memories.filter((m) => m.namespace === ns);
  if (opts.limitMemories !== undefined) memories = memories.slice(0, opts.limitMemories);
  const loaded = new Set(memories.map((m) => m.id));
  const inNamespace = dataset.queries.filter((q) => q.namespace === ns);
  const scorable = inNamespace.filter((q) => q.gold.every((id) => loaded.has(id)));
  const queries = opts.limitQueries !== undefined ? scorable.slice(0, opts.limitQueries) : scorable;
  return { namespace: ns, memories, queries, unscorable: inNamespace.length - scorable.length, limited: scorable.length - queries.length };
}

// ---------------------------------------------------------------------------------------------
// The two servers, as a user of each would drive them

function packageVersion(name) {
  try {
    return JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), "utf8")).version;
  } catch {
    return null;
  }
}

function serverMemoryEntry() {
  let pkgFile;
  try {
    pkgFile = require.resolve("@modelcontextprotocol/server-memory/package.json");
  } catch {
    throw new SetupError(`@modelcontextprotocol/server-memory is not installed: run npm ci --prefix ${path.relative(process.cwd(), HERE) || "."}`);
  }
  const pkg = JSON.parse(fs.readFileSync(pkgFile, "utf8"));
  const bin = typeof pkg.bin === "string" ? pkg.bin : pkg.bin?.["mcp-server-memory"] ?? Object.values(pkg.bin ?? {})[0];
  if (!bin) throw new Error(`${pkgFile} has no bin entry`);
  return path.resolve(path.dirname(pkgFile), bin);
}

function parseJsonText(result) {
  const text = (result.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("\n");
  const start = text.indexOf("{");
  if (start < 0) throw new Error(`no JSON in the tool result text: ${text.slice(0, 200)}`);
  return JSON.parse(text.slice(start));
}

const structured = (result) => result.structuredContent ?? parseJsonText(result);

// @modelcontextprotocol/server-memory: a knowledge graph in a JSONL file. One entity per memory,
// named by the dataset id; search_nodes returns every entity whose name, type or an observation
// contains the query as a substring (case-insensitive), in file order, with no limit.
function theirsAdapter(tmp) {
  return {
    key: "theirs",
    label: `server-memory ${packageVersion("@modelcontextprotocol/server-memory") ?? "?"}`,
    command: process.execPath,
    args: [serverMemoryEntry()],
    env: { ...getDefaultEnvironment(), MEMORY_FILE_PATH: path.join(tmp, "memory.jsonl") },
    rememberTool: "create_entities",
    searchTool: "search_nodes",
    rememberArgs: (m) => ({ entities: [{ name: m.id, entityType: "memory", observations: [m.content] }] }),
    onRemember(result, m, state) {
      const created = structured(result).entities ?? [];
      if (!created.some((e) => e.name === m.id)) {
        throw new Error(`create_entities did not create ${m.id} (an entity of that name already exists?)`);
      }
      state.actions.created = (state.actions.created ?? 0) + 1;
    },
    searchArgs: (q) => ({ query: q.query }),
    parseSearch: (result) =>
      (structured(result).entities ?? []).map((e) => ({ ids: [e.name], text: (e.observations ?? []).join(" ") })),
  };
}

// This service over stdio: remember {content}; recall {query, limit: k} (hybrid, the default).
// remember may merge a near-duplicate into an existing memory (action merged/updated, same id), so
// one of our ids can stand for several dataset ids.
function oursAdapter(tmp, opts, ns) {
  const passThrough = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => (k.startsWith("MEMORY_MCP_") && k !== "MEMORY_MCP_DATA_DIR" && k !== "MEMORY_MCP_MCP_PERSONA") || k === "JAVA_HOME" || k === "JAVA_TOOL_OPTIONS",
    ),
  );
  return {
    key: "ours",
    label: "memory-service",
    command: opts.java,
    args: ["-jar", opts.jar, "mcp-stdio"],
    env: { ...getDefaultEnvironment(), ...passThrough, MEMORY_MCP_DATA_DIR: tmp, MEMORY_MCP_MCP_PERSONA: ns },
    envOverrides: Object.keys(passThrough).filter((k) => k.startsWith("MEMORY_MCP_")),
    rememberTool: "remember",
    searchTool: "recall",
    rememberArgs: (m) => ({ content: m.content }),
    onRemember(result, m, state) {
      const sc = structured(result);
      if (typeof sc.id !== "string") throw new Error(`remember returned no id: ${JSON.stringify(sc).slice(0, 300)}`);
      const ids = state.idMap.get(sc.id) ?? [];
      ids.push(m.id);
      state.idMap.set(sc.id, ids);
      state.actions[sc.action ?? "?"] = (state.actions[sc.action ?? "?"] ?? 0) + 1;
      if (sc.action && sc.action !== "created") state.merges.push({ dataset_id: m.id, action: sc.action, into: ids[0] });
    },
    searchArgs: (q) => ({ query: q.query, limit: opts.k }),
    parseSearch: (result, state) =>
      (structured(result).results ?? []).map((r) => ({ ids: state.idMap.get(r.id) ?? [], text: r.content ?? "", score: r.score })),
  };
}

// ---------------------------------------------------------------------------------------------
// Running one server: start, load every memory, run every query, stop

const open = new Set(); // {client, transport} of children that may still run: stopped on any exit

function tailBuffer(limit = 60) {
  const lines = [];
  let partial = "";
  return {
    push(chunk) {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop();
      for (const l of parts) {
        lines.push(l);
        if (lines.length > limit) lines.shift();
      }
    },
    text: () => [...lines, partial].filter(Boolean).join("\n"),
  };
}

async function runServer(adapter, work, opts, tmp) {
  const stderr = tailBuffer();
  const transport = new StdioClientTransport({
    command: adapter.command,
    args: adapter.args,
    env: adapter.env,
    cwd: tmp,
    stderr: "pipe",
  });
  transport.stderr?.on("data", (d) => {
    stderr.push(d.toString());
    if (opts.verbose) process.stderr.write(`[${adapter.key} ${work.namespace}] ${d}`);
  });
  const client = new Client({ name: "memory-bench-peer", version: "1.0.0" });
  const run = { server: adapter.label, namespace: work.namespace, stderr };
  const state = { idMap: new Map(), actions: {}, merges: [] };
  const handle = { client, transport };
  open.add(handle);
  try {
    const t0 = performance.now();
    await client.connect(transport, { timeout: 120_000 });
    run.startup_ms = performance.now() - t0;
    run.pid = transport.pid;
    run.server_info = client.getServerVersion();
    run.protocol_version = transport.protocolVersion ?? null;

    const { tools } = await client.listTools();
    run.tools = tools.map((t) => t.name);
    for (const name of [adapter.rememberTool, adapter.searchTool]) {
      if (!run.tools.includes(name)) throw new Error(`${adapter.label} has no tool ${name} (tools: ${run.tools.join(", ")})`);
    }

    run.remember_ms = [];
    for (const m of work.memories) {
      const t = performance.now();
      const result = await client.callTool({ name: adapter.rememberTool, arguments: adapter.rememberArgs(m) });
      run.remember_ms.push(performance.now() - t);
      if (result.isError) throw new Error(`${adapter.rememberTool} failed for ${m.id}: ${toolText(result).slice(0, 500)}`);
      adapter.onRemember(result, m, state);
    }

    run.search_ms = [];
    run.searches = [];
    for (const q of work.queries) {
      const t = performance.now();
      const result = await client.callTool({ name: adapter.searchTool, arguments: adapter.searchArgs(q) });
      const ms = performance.now() - t;
      run.search_ms.push(ms);
      if (result.isError) throw new Error(`${adapter.searchTool} failed for ${JSON.stringify(q.query)}: ${toolText(result).slice(0, 500)}`);
      const ranked = adapter.parseSearch(result, state);
      run.searches.push({ ms, returned: ranked.length, ranked: ranked.slice(0, opts.k) });
    }
    run.actions = state.actions;
    run.merges = state.merges;

    await client.close();
    open.delete(handle);
    return run;
  } catch (err) {
    await client.close().catch(() => {});
    open.delete(handle);
    err.stderrTail = `${adapter.label} (${work.namespace}) stderr, last lines:\n${stderr.text() || "(nothing)"}`;
    throw err;
  }
}

const toolText = (result) => (result.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("\n");

// ---------------------------------------------------------------------------------------------
// Statistics and scoring

function stats(samples) {
  if (samples.length === 0) return { n: 0, p50: null, p95: null, p99: null, mean: null, max: null, total: 0 };
  const s = [...samples].sort((a, b) => a - b);
  const rank = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]; // nearest rank
  const total = s.reduce((a, b) => a + b, 0);
  return { n: s.length, p50: rank(50), p95: rank(95), p99: rank(99), mean: total / s.length, max: s[s.length - 1], total };
}

function cutoffs(k) {
  return [...new Set([1, 5, 10].filter((c) => c <= k).concat([k]))].sort((a, b) => a - b);
}

function scoreQuery(q, search, k) {
  const gold = new Set(q.gold);
  let firstGoldRank = null;
  search.ranked.forEach((entry, i) => {
    if (firstGoldRank === null && entry.ids.some((id) => gold.has(id))) firstGoldRank = i + 1;
  });
  const found = new Set(search.ranked.slice(0, k).flatMap((e) => e.ids).filter((id) => gold.has(id)));
  return { first_gold_rank: firstGoldRank, recall_at_k: found.size / gold.size, empty: search.returned === 0 };
}

function aggregate(rows, k) {
  const cs = cutoffs(k);
  const out = { queries: rows.length, empty: rows.filter((r) => r.empty).length };
  for (const c of cs) out[`hits@${c}`] = rows.length ? rows.filter((r) => r.first_gold_rank !== null && r.first_gold_rank <= c).length / rows.length : null;
  out[`recall@${k}`] = rows.length ? rows.reduce((a, r) => a + r.recall_at_k, 0) / rows.length : null;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Output

const fmt = (v, digits = 1) => (v === null || v === undefined ? "-" : v.toFixed(digits));
const ratio = (a, b) => (a && b ? a / b : null);
const clip = (s, n) => {
  const flat = String(s ?? "").replace(/\s+/g, " ").trim();
  return flat.length > n ? `${flat.slice(0, n - 1)}…` : flat;
};

function table(header, rows, left = 1) {
  const cells = [header, ...rows].map((r) => r.map((c) => String(c)));
  const width = header.map((_, i) => Math.max(...cells.map((r) => [...r[i]].length)));
  const line = (r) => `| ${r.map((c, i) => (i < left ? c.padEnd(width[i]) : c.padStart(width[i]))).join(" | ")} |`;
  return [line(cells[0]), `|${width.map((w, i) => (i < left ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`, ...cells.slice(1).map(line)].join("\n");
}

function javaVersion(java) {
  const r = spawnSync(java, ["-version"], { encoding: "utf8" });
  return r.status === 0 ? (r.stderr || r.stdout).split("\n")[0].trim() : null;
}

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const deadline = setTimeout(() => {
    console.error(`peer: timed out after ${opts.timeoutS} s (--timeout-s); stopping both servers`);
    shutdown(1);
  }, opts.timeoutS * 1000);
  deadline.unref();

  if (!fs.existsSync(opts.jar)) {
    throw new SetupError(`the memory service jar is missing: ${opts.jar}\nrun mvn package first (from ${REPO_ROOT}: mvn -B -q -DskipTests package), or pass --jar`);
  }
  serverMemoryEntry(); // fails early with the npm ci hint
  const dataset = loadDataset(opts.dataset);
  const allNamespaces = [...new Set(dataset.memories.map((m) => m.namespace))];
  const namespaces = opts.namespaces ?? allNamespaces;
  for (const ns of namespaces) {
    if (!allNamespaces.includes(ns)) throw new UsageError(`namespace ${ns} is not in the dataset (it has ${allNamespaces.join(", ")})`);
  }

  const machine = {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? null,
    memory_gib: +(os.totalmem() / 2 ** 30).toFixed(1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    java: javaVersion(opts.java),
    loadavg_at_start: os.loadavg().map((v) => +v.toFixed(2)),
  };
  console.log(`peer side by side: ${path.relative(REPO_ROOT, opts.dataset) || opts.dataset}, namespaces ${namespaces.join(", ")}, k=${opts.k}`);
  console.log(`machine: ${machine.cores} cores (${machine.cpu}), ${machine.memory_gib} GiB, ${machine.os}, node ${machine.node}, ${machine.java}, load average ${machine.loadavg_at_start.join(" ")}`);

  const perNamespace = [];
  for (const ns of namespaces) {
    const work = namespaceWorkload(dataset, ns, opts);
    if (work.memories.length === 0) throw new Error(`namespace ${ns}: no memories to load`);
    const leftOut = [work.unscorable ? `${work.unscorable} not scorable: a gold memory was not loaded` : "", work.limited ? `${work.limited} more left out by --limit-queries` : ""].filter(Boolean);
    console.log(`\n${ns}: ${work.memories.length} memories, ${work.queries.length} queries` + (leftOut.length ? ` (of ${work.queries.length + work.unscorable + work.limited}; ${leftOut.join(", ")})` : ""));
    const runs = {};
    // One server at a time, each with its own fresh store, so they never compete for the CPU.
    for (const make of [(tmp) => theirsAdapter(tmp), (tmp) => oursAdapter(tmp, opts, ns)]) {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "memory-peer-"));
      if (!opts.keep) tempDirs.add(tmp);
      const adapter = make(tmp);
      if (adapter.envOverrides?.length) console.log(`  ${adapter.label}: passing ${adapter.envOverrides.join(", ")} from the environment`);
      const t = performance.now();
      try {
        runs[adapter.key] = await runServer(adapter, work, opts, tmp);
      } finally {
        if (!opts.keep) {
          fs.rmSync(tmp, { recursive: true, force: true });
          tempDirs.delete(tmp);
        }
      }
      const r = runs[adapter.key];
      const acts = Object.entries(r.actions).map(([a, n]) => `${a} ${n}`).join(", ");
      console.log(`  ${adapter.label}: up in ${fmt(r.startup_ms, 0)} ms, ${r.remember_ms.length} ${adapter.rememberTool} (${acts}), ${r.search_ms.length} ${adapter.searchTool}, ${fmt((performance.now() - t) / 1000, 1)} s` + (opts.keep ? `, data kept in ${tmp}` : ""));
    }
    perNamespace.push({ work, runs });
  }

  // Score every query for both servers.
  const queryRows = [];
  for (const { work, runs } of perNamespace) {
    work.queries.forEach((q, i) => {
      const row = { namespace: q.namespace, category: q.category ?? "(none)", query: q.query, gold: q.gold };
      for (const key of ["theirs", "ours"]) {
        const s = runs[key].searches[i];
        row[key] = { ms: s.ms, returned: s.returned, ...scoreQuery(q, s, opts.k), top: s.ranked.map((e) => e.ids), top_text: s.ranked[0]?.text ?? null };
        if (s.ranked.some((e) => typeof e.score === "number")) row[key].top_scores = s.ranked.map((e) => e.score ?? null);
      }
      queryRows.push(row);
    });
  }
  const groups = [["all", () => true]];
  const cats = [...new Set(queryRows.map((r) => r.category))];
  for (const c of cats) groups.push([c, (r) => r.category === c]);
  if (namespaces.length > 1) for (const ns of namespaces) groups.push([ns, (r) => r.namespace === ns]);
  const quality = { theirs: {}, ours: {} };
  for (const key of ["theirs", "ours"]) {
    for (const [name, pred] of groups) quality[key][name] = aggregate(queryRows.filter(pred).map((r) => r[key]), opts.k);
  }

  const pool = (key, field) => perNamespace.flatMap(({ runs }) => runs[key][field]);
  const latency = {};
  for (const [op, field] of [["remember", "remember_ms"], ["search", "search_ms"]]) {
    const theirs = stats(pool("theirs", field));
    const ours = stats(pool("ours", field));
    latency[op] = { theirs, ours, ratio_p50: ratio(theirs.p50, ours.p50), ratio_p95: ratio(theirs.p95, ours.p95) };
  }
  const startup = Object.fromEntries(["theirs", "ours"].map((key) => [key, perNamespace.map(({ work, runs }) => ({ namespace: work.namespace, ms: runs[key].startup_ms }))]));

  const labels = { theirs: perNamespace[0].runs.theirs.server, ours: perNamespace[0].runs.ours.server };
  const toolOf = { theirs: "create_entities / search_nodes", ours: "remember / recall" };

  // Latency table.
  console.log(`\n## Latency per call (ms, sequential, client-side round trip over stdio)\n`);
  const latRows = [];
  for (const op of ["remember", "search"]) {
    for (const key of ["theirs", "ours"]) {
      const s = latency[op][key];
      latRows.push([op, `${labels[key]} (${op === "remember" ? toolOf[key].split(" / ")[0] : toolOf[key].split(" / ")[1]})`, s.n, fmt(s.p50, 2), fmt(s.p95, 2), fmt(s.p99, 2), fmt(s.mean, 2), fmt(s.max, 1)]);
    }
    latRows.push([op, "ratio theirs/ours", "", `${fmt(latency[op].ratio_p50, 2)}x`, `${fmt(latency[op].ratio_p95, 2)}x`, "", "", ""]);
  }
  console.log(table(["operation", "server", "n", "p50", "p95", "p99", "mean", "max"], latRows, 2));
  console.log(`(ratio theirs/ours above 1: ours is faster; below 1: theirs is faster)`);
  console.log(`\nStart-up to the first successful initialize (ms): ` + ["theirs", "ours"].map((key) => `${labels[key]} ${startup[key].map((s) => `${fmt(s.ms, 0)} (${s.namespace})`).join(", ")}`).join("; "));

  // Quality table.
  const cs = cutoffs(opts.k);
  console.log(`\n## What each found (fraction of queries with a gold memory in the top N; recall@${opts.k} = share of gold ids in the top ${opts.k})\n`);
  const qHeader = ["group", "queries"];
  for (const key of ["theirs", "ours"]) qHeader.push(...cs.map((c) => `${key} @${c}`), `${key} R@${opts.k}`, `${key} empty`);
  const qRows = groups.map(([name]) => {
    const row = [name, quality.ours[name].queries];
    for (const key of ["theirs", "ours"]) {
      const a = quality[key][name];
      row.push(...cs.map((c) => fmt(a[`hits@${c}`], 3)), fmt(a[`recall@${opts.k}`], 3), a.empty);
    }
    return row;
  });
  console.log(table(qHeader, qRows));
  console.log(`theirs = ${labels.theirs} (search_nodes returns every substring match, unranked; scored on its first ${opts.k}), ours = ${labels.ours} (recall, hybrid, limit ${opts.k}).`);
  const returnedTheirs = stats(queryRows.map((r) => r.theirs.returned));
  console.log(`search_nodes returned ${fmt(returnedTheirs.mean, 1)} entities per query on average (max ${returnedTheirs.max}); recall returned ${fmt(stats(queryRows.map((r) => r.ours.returned)).mean, 1)}.`);
  const merges = perNamespace.flatMap(({ runs }) => runs.ours.merges);
  if (merges.length) console.log(`ours merged ${merges.length} dataset memories into earlier ones on remember (near-duplicates): ${merges.map((m) => `${m.dataset_id}→${m.into} (${m.action})`).join(", ")}; a hit on the kept memory counts for both ids.`);

  // Examples: the first query of each category.
  const memText = new Map(dataset.memories.map((m) => [m.id, m.content]));
  const examples = cats.map((c) => queryRows.find((r) => r.category === c));
  console.log(`\n## Examples (first query of each category; ✓ = the top result is a gold memory)\n`);
  for (const ex of examples) {
    console.log(`[${ex.category}] ${ex.namespace}: ${JSON.stringify(ex.query)}`);
    console.log(`  gold      ${ex.gold.join(",")}: ${clip(memText.get(ex.gold[0]), 90)}`);
    for (const key of ["theirs", "ours"]) {
      const r = ex[key];
      const top = r.top[0];
      const mark = top === undefined ? " " : r.first_gold_rank === 1 ? "✓" : "✗";
      const desc = top === undefined ? "(nothing)" : `${top.join(",") || "?"}: ${clip(r.top_text, 90)}`;
      console.log(`  ${key.padEnd(6)} ${mark}  ${desc}` + (r.returned > 1 ? `  (+${r.returned - 1} more${r.first_gold_rank > 1 ? `, first gold at ${r.first_gold_rank}` : ""})` : ""));
    }
  }

  const wallS = (performance.now() - started) / 1000;
  console.log(`\nwall time ${fmt(wallS, 1)} s`);

  if (opts.out) {
    const report = {
      benchmark: "peer side by side (bench/peer/peer.mjs)",
      date: new Date().toISOString(),
      machine,
      config: {
        dataset: path.relative(REPO_ROOT, opts.dataset) || opts.dataset,
        jar: path.relative(REPO_ROOT, opts.jar) || opts.jar,
        namespaces,
        k: opts.k,
        limit_memories: opts.limitMemories ?? null,
        limit_queries: opts.limitQueries ?? null,
        sdk: packageVersion("@modelcontextprotocol/sdk"),
        server_memory: packageVersion("@modelcontextprotocol/server-memory"),
        ours_env_overrides: oursAdapter("", opts, "").envOverrides,
      },
      servers: {
        theirs: { label: labels.theirs, tools: "create_entities (one entity per memory) / search_nodes {query}" },
        ours: { label: labels.ours, tools: `remember {content} / recall {query, limit: ${opts.k}}` },
      },
      latency_ms: latency,
      startup_ms: startup,
      quality,
      namespaces: perNamespace.map(({ work, runs }) => ({
        namespace: work.namespace,
        memories: work.memories.length,
        queries: work.queries.length,
        queries_not_scorable: work.unscorable,
        queries_left_out_by_limit: work.limited,
        servers: Object.fromEntries(
          ["theirs", "ours"].map((key) => {
            const r = runs[key];
            return [key, {
              server_info: r.server_info,
              protocol_version: r.protocol_version,
              tools: r.tools,
              startup_ms: r.startup_ms,
              actions: r.actions,
              merges: r.merges,
              remember: stats(r.remember_ms),
              search: stats(r.search_ms),
              remember_ms: r.remember_ms.map((v) => +v.toFixed(3)),
              search_ms: r.search_ms.map((v) => +v.toFixed(3)),
            }];
          }),
        ),
      })),
      queries: queryRows,
      wall_s: wallS,
    };
    fs.mkdirSync(path.dirname(opts.out), { recursive: true });
    fs.writeFileSync(opts.out, JSON.stringify(report, null, 2) + "\n");
    console.log(`wrote ${opts.out}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Shutdown: every child we started is stopped, whatever happens

const tempDirs = new Set(); // fresh stores not yet removed (kept with --keep)
let shuttingDown = false;
async function shutdown(code) {
  if (shuttingDown) return;
  shuttingDown = true;
  await Promise.race([
    Promise.allSettled([...open].map(({ client }) => client.close())),
    new Promise((resolve) => setTimeout(resolve, 5000).unref()),
  ]);
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  process.exit(code);
}

process.on("exit", () => {
  // Last resort (e.g. an uncaught exception): kill what is still running.
  for (const { transport } of open) {
    try {
      if (transport.pid) process.kill(transport.pid, "SIGKILL");
    } catch {}
  }
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    console.error(`peer: ${signal}, stopping both servers`);
    shutdown(130);
  });
}

main().then(
  () => shutdown(0),
  (err) => {
    if (err instanceof UsageError || err?.code?.startsWith?.("ERR_PARSE_ARGS")) {
      console.error(`peer: ${err.message}\n\n${USAGE}`);
      shutdown(2);
      return;
    }
    console.error(err instanceof SetupError ? `peer: ${err.message}` : `peer failed: ${err?.stack ?? err}`);
    if (err?.stderrTail) console.error(err.stderrTail);
    shutdown(1);
  },
);
