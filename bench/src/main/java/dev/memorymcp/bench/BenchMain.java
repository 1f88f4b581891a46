package dev.memorymcp.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The benchmark harness: drives a running service over its public APIs (REST, and MCP for the MCP
 * scenario), prints tables and writes one JSON report. Scenarios: {@code latency} (recall p50/p95/p99
 * and throughput per search type at each namespace size, remember latency, bulk-import throughput,
 * resident memory), {@code mcp} (MCP recall against REST search), {@code ingest} (chat ingestion
 * acknowledgement at a message rate while extraction runs), {@code quality} (recall@k, MRR, nDCG on
 * a JSONL dataset) and {@code all}. Each run writes into fresh personas, so runs never see each
 * other's data. See {@link #USAGE}.
 */
public final class BenchMain {
  static final List<String> SEARCH_TYPES = List.of("hybrid", "semantic", "keyword");

  static final String USAGE = """
      usage: java -jar bench/target/memory-bench.jar <scenario> [options]

      scenarios:
        latency   fill one namespace to each size (bulk import), time remember, recall per search type
                  (sequential p50/p95/p99, then throughput with concurrent clients), resident memory
        mcp       MCP recall (Java SDK client, Streamable HTTP) against REST search on the same data
        ingest    POST /api/v1/ingest at a fixed rate (open loop) while extraction runs: ack latency
        quality   load a JSONL dataset, score every query per search type (recall@1/5/10, MRR@10, nDCG@10)
        dedupe    remember labelled sentence pairs (entailment / contradiction / neutral, en + ja) one after
                  the other: false merges (a contradiction or new information merged away), missed duplicates
        gate      the recall gate (POST /api/v1/chat/context) on a dataset's questions (memory needed) and
                  general messages (not needed): recall, false alarms, precision, F1 per cosine threshold, latency
        switch    fill a store, restart it with another model: recall and remember while the online
                  rebuild runs (old vectors serving), rebuild time, how long writes wait for the swap
        vectors   in process, no service: the exact scan against Lucene HNSW (float32 and int8) on the
                  model's vectors from an export, grown with perturbed copies: latency, recall@k, build, open
        recall    in process, on a stopped service's --data: the store's own vector search (its Lucene index
                  as on disk) against its exact scan on the same queries: recall@k and store latency per ef
        members   a cluster of the jar on 127.0.0.1 with 1, 2, 4 embedding members: semantic recall throughput
                  of unique queries, CPU per request of each role, extrapolated to one machine per member
        all       latency, then mcp on the latency namespace, quality, dedupe, gate, ingest

      the service:
        --url URL                 a running service (default http://127.0.0.1:26262)
        --pid PID                 its process id, to read its resident memory (Linux /proc)
        --server-jar PATH         or: start this jar on a free loopback port with a fresh data directory
                                  (measures start-up time and resident memory; stopped at the end)
        --data DIR                data directory for --server-jar (default: a new temporary one)
        --env K=V,K=V             environment for --server-jar, e.g. MEMORY_MCP_STORAGE_SYNCHRONOUS=NORMAL (repeatable)
        --out FILE                JSON report (default bench-<scenario>.json)

      latency:  --sizes 1000,10000[,100000,1000000] --remember 100 --queries 300 --warmup 50 (per type)
                --client-warmup 600 (searches of every type in turn before any is timed: this JVM's JIT)
                --clients 4 --throughput-seconds 10 --dedupe false (for the bulk fill)
                --persona NS (measure, and grow, a namespace an earlier run filled, e.g. with another jar
                on the same --data) --copies-above N (past N memories, grow by importing perturbed copies
                of the first N with their vectors instead of embedding new texts: 1M in minutes, not hours)
      mcp:      --size 1000 (fills a fresh namespace; under `all` the latency namespace is reused)
                --queries 300 --warmup 50
      ingest:   --rate 200 --seconds 20 --ingest-warmup 5 (seconds; `--warmup` too when the scenario is ingest)
                --drain-timeout 600
      quality:  --dataset bench/datasets/handmade --dedupe false
      dedupe:   --pairs bench/datasets/jsick/pairs.jsonl --per-label 100 (pairs per language and label)
      gate:     --gate-dataset bench/datasets/conversations --negatives bench/datasets/gate/negatives.jsonl
                --gate-fill 0 (fill the first namespace to this many memories before timing)
      switch:   --switch-size 10000 --switch-model all-minilm-l6-v2 --queries 300 (needs --server-jar)
      members:  --members 1,2,4 --members-size 200 (memories) --clients 4 --throughput-seconds 10
                --members-warmup 5 (seconds; needs --server-jar)
      vectors:  --export FILE (required) --vector-sizes 100000,1000000 --queries 300 --k 10 --noise 0.35
                --hnsw-m 16 --hnsw-beam 100 --ef 10,40,100 (neighbours asked of HNSW; the best k kept)
                --formats float32,int8
      recall:   --data DIR --persona NS (both required; the service stopped) --queries 300 --k 10 --noise 0.35
                --ef 10,40,100 (vector_index.ef: candidates per segment of the index)
      """;

  static final Map<String, String> DEFAULTS = Map.ofEntries(Map.entry("--url", "http://127.0.0.1:26262"),
      Map.entry("--pid", "-1"), Map.entry("--server-jar", ""), Map.entry("--data", ""), Map.entry("--env", ""),
      Map.entry("--out", ""), Map.entry("--sizes", "1000,10000"), Map.entry("--remember", "100"),
      Map.entry("--queries", "300"), Map.entry("--warmup", "50"), Map.entry("--client-warmup", "600"), Map.entry("--clients", "4"),
      Map.entry("--throughput-seconds", "10"), Map.entry("--dedupe", "false"), Map.entry("--size", "1000"),
      Map.entry("--rate", "200"), Map.entry("--seconds", "20"), Map.entry("--ingest-warmup", "5"),
      Map.entry("--drain-timeout", "600"), Map.entry("--dataset", "bench/datasets/handmade"),
      Map.entry("--pairs", "bench/datasets/jsick/pairs.jsonl"), Map.entry("--per-label", "100"),
      Map.entry("--gate-dataset", "bench/datasets/conversations"),
      Map.entry("--negatives", "bench/datasets/gate/negatives.jsonl"), Map.entry("--gate-fill", "0"),
      Map.entry("--switch-size", "10000"), Map.entry("--switch-model", "all-minilm-l6-v2"),
      Map.entry("--export", ""), Map.entry("--vector-sizes", "100000,1000000"), Map.entry("--noise", "0.35"),
      Map.entry("--hnsw-m", "16"), Map.entry("--hnsw-beam", "100"), Map.entry("--k", "10"), Map.entry("--persona", ""), Map.entry("--copies-above", "0"), Map.entry("--ef", "10,40,100"), Map.entry("--formats", "float32,int8"),
      Map.entry("--members", "1,2,4"), Map.entry("--members-size", "200"), Map.entry("--members-warmup", "5"));

  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    List<String> scenarios = List.of("latency", "mcp", "ingest", "quality", "dedupe", "gate", "switch", "vectors",
        "recall", "members", "all");
    if (args.length == 0 || !scenarios.contains(args[0])) {
      System.err.print(USAGE);
      System.exit(2);
    }
    Map<String, String> opts;
    try {
      opts = options(args[0], Arrays.copyOfRange(args, 1, args.length));
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage() + "\n\n" + USAGE);
      System.exit(2);
      return;
    }
    JsonObject report = "switch".equals(args[0]) ? runSwitch(opts)
        : "vectors".equals(args[0]) ? runVectors(opts)
        : "recall".equals(args[0]) ? runRecall(opts)
        : "members".equals(args[0]) ? runMembers(opts) : run(args[0], opts);
    Path out = Path.of(opts.get("--out").isEmpty() ? "bench-" + args[0] + ".json" : opts.get("--out"));
    Files.writeString(out, report.encodePrettily());
    System.out.println("\nwrote " + out);
  }

  /** Recall of the store's own vector search, in process on a stopped service's data directory. */
  static JsonObject runRecall(Map<String, String> o) throws Exception {
    if (o.get("--data").isEmpty() || o.get("--persona").isEmpty()) {
      throw new IllegalArgumentException("recall needs --data DIR (a stopped service's) and --persona NS");
    }
    JsonObject report = new JsonObject().put("harness", "memory-bench").put("at", Instant.now().toString())
        .put("machine", machine()).put("load_average_at_start", loadAverage());
    System.out.printf("machine: %s; load average at start %s%n", report.getJsonObject("machine").encode(),
        report.getString("load_average_at_start"));
    report.put("scenarios", new JsonObject().put("recall", new StoreRecallScenario(Path.of(o.get("--data")), o.get("--persona"))
        .run(i(o, "--queries"), i(o, "--k"), Double.parseDouble(o.get("--noise")), ints(o.get("--ef")))));
    report.put("load_average_at_end", loadAverage());
    System.out.printf("load average at start %s, at end %s%n", report.getString("load_average_at_start"),
        report.getString("load_average_at_end"));
    return report;
  }

  /** The in-process vector index comparison: no service, vectors from an export file. */
  static JsonObject runVectors(Map<String, String> o) throws Exception {
    if (o.get("--export").isEmpty()) {
      throw new IllegalArgumentException("vectors needs --export FILE (GET /api/v1/export?with_vectors=true)");
    }
    JsonObject report = new JsonObject().put("harness", "memory-bench").put("at", Instant.now().toString())
        .put("machine", machine()).put("load_average_at_start", loadAverage());
    System.out.printf("machine: %s; load average at start %s%n", report.getJsonObject("machine").encode(),
        report.getString("load_average_at_start"));
    Path work = Files.createTempDirectory("memory-bench-vectors");
    report.put("scenarios", new JsonObject().put("vectors", new VectorsScenario(Path.of(o.get("--export")), work)
        .run(ints(o.get("--vector-sizes")), i(o, "--queries"), i(o, "--k"), Double.parseDouble(o.get("--noise")),
            i(o, "--hnsw-m"), i(o, "--hnsw-beam"), ints(o.get("--ef")), List.of(o.get("--formats").split(",")))));
    report.put("load_average_at_end", loadAverage());
    return report;
  }

  /**
   * Parses {@code --key value} pairs; for ingest, {@code --warmup} means its warm-up seconds. A
   * repeated {@code --env} adds to the earlier ones (a second one silently replacing the first once
   * ran a benchmark on the wrong settings); any other repeated option is refused.
   */
  static Map<String, String> options(String scenario, String[] args) {
    Map<String, String> opts = new HashMap<>(DEFAULTS);
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < args.length; i += 2) {
      String key = "ingest".equals(scenario) && "--warmup".equals(args[i]) ? "--ingest-warmup" : args[i];
      if (!opts.containsKey(key)) {
        throw new IllegalArgumentException("unknown option " + args[i]);
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + args[i] + " needs a value");
      }
      if (!seen.add(key) && !"--env".equals(key)) {
        throw new IllegalArgumentException("option " + args[i] + " given twice");
      }
      opts.put(key, "--env".equals(key) && !opts.get(key).isEmpty() ? opts.get(key) + "," + args[i + 1] : args[i + 1]);
    }
    return opts;
  }

  static JsonObject run(String scenario, Map<String, String> o) throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    JsonObject report = new JsonObject().put("harness", "memory-bench").put("at", Instant.now().toString())
        .put("run", run).put("machine", machine()).put("load_average_at_start", loadAverage());
    JsonObject scenarios = new JsonObject();
    report.put("scenarios", scenarios);
    try (Service service = service(o)) {
      report.put("service", new JsonObject().put("url", service.url).put("pid", service.pid)
          .put("started_by_harness", service.startMillis >= 0).put("start_ms", service.startMillis)
          .put("rss_mib_at_start", service.rssMiB()));
      if (service.startMillis >= 0) {
        System.out.printf("service started in %d ms (pid %d, %s)%n", service.startMillis, service.pid, service.url);
      }
      System.out.printf("machine: %s; load average at start %s%n", report.getJsonObject("machine").encode(),
          report.getString("load_average_at_start"));
      Http http = new Http(service.url);
      String latencyPersona = null;
      if (scenario.equals("latency") || scenario.equals("all")) {
        LatencyScenario latency = new LatencyScenario(http, service,
            o.get("--persona").isEmpty() ? "bench-latency-" + run : o.get("--persona"))
            .growByCopiesAbove(Long.parseLong(o.get("--copies-above"))).clientWarmup(i(o, "--client-warmup"));
        if (!o.get("--persona").isEmpty()) {
          latency.resume();
        }
        scenarios.put("latency", latency.run(ints(o.get("--sizes")), i(o, "--remember"), i(o, "--queries"),
            i(o, "--warmup"), i(o, "--clients"), i(o, "--throughput-seconds"), Boolean.parseBoolean(o.get("--dedupe"))));
        latencyPersona = latency.persona();
      }
      if (scenario.equals("mcp") || scenario.equals("all")) {
        if (latencyPersona == null) {
          LatencyScenario filler = new LatencyScenario(http, service, "bench-mcp-" + run);
          System.out.printf("filling %s with %s memories for the MCP scenario%n", filler.persona(), o.get("--size"));
          filler.fill(i(o, "--size"), false);
          latencyPersona = filler.persona();
        }
        scenarios.put("mcp", new McpScenario(http, latencyPersona).run(i(o, "--queries"), i(o, "--warmup")));
      }
      if (scenario.equals("quality") || scenario.equals("all")) {
        scenarios.put("quality", new QualityScenario(http, run).run(Path.of(o.get("--dataset")),
            Boolean.parseBoolean(o.get("--dedupe"))));
      }
      if (scenario.equals("dedupe") || scenario.equals("all")) {
        scenarios.put("dedupe", new DedupeScenario(http, run).run(Path.of(o.get("--pairs")), i(o, "--per-label")));
      }
      if (scenario.equals("gate") || scenario.equals("all")) {
        scenarios.put("gate", new GateScenario(http, run).run(Path.of(o.get("--gate-dataset")),
            Path.of(o.get("--negatives")), i(o, "--gate-fill")));
      }
      if (scenario.equals("ingest") || scenario.equals("all")) {
        scenarios.put("ingest", new IngestScenario(http, "bench-ingest-" + run).run(i(o, "--rate"), i(o, "--seconds"),
            i(o, "--ingest-warmup"), i(o, "--drain-timeout")));
      }
      report.getJsonObject("service").put("rss_mib_at_end", service.rssMiB()).put("health", http.get("/health"));
      report.put("load_average_at_end", loadAverage());
      report.put("budgets", Budgets.check(report));
      System.out.print(Budgets.table(report.getJsonArray("budgets")));
      int cores = Runtime.getRuntime().availableProcessors();
      System.out.printf("load average at start %s, at end %s (%d cores: a load above %d means other work shared them)%n",
          report.getString("load_average_at_start"), report.getString("load_average_at_end"), cores, cores);
    }
    return report;
  }

  /** The members scenario starts its own clusters of the jar, so it needs --server-jar. */
  static JsonObject runMembers(Map<String, String> o) throws Exception {
    if (o.get("--server-jar").isEmpty()) {
      throw new IllegalArgumentException("members starts clusters of the jar: give --server-jar");
    }
    JsonObject report = new JsonObject().put("harness", "memory-bench").put("at", Instant.now().toString())
        .put("machine", machine()).put("load_average_at_start", loadAverage());
    Path work = dataDir(o).getParent();
    report.put("scenarios", new JsonObject().put("members", new MembersScenario(Path.of(o.get("--server-jar")), work, env(o))
        .run(ints(o.get("--members")), i(o, "--members-size"), i(o, "--clients"), i(o, "--throughput-seconds"),
            i(o, "--members-warmup"))));
    report.put("load_average_at_end", loadAverage());
    System.out.printf("load average at start %s, at end %s%n", report.getString("load_average_at_start"),
        report.getString("load_average_at_end"));
    return report;
  }

  /** The switch scenario starts the service twice on one data directory, so it needs --server-jar. */
  static JsonObject runSwitch(Map<String, String> o) throws Exception {
    if (o.get("--server-jar").isEmpty()) {
      throw new IllegalArgumentException("switch restarts the service with another model: give --server-jar");
    }
    JsonObject report = new JsonObject().put("harness", "memory-bench").put("at", Instant.now().toString())
        .put("machine", machine()).put("load_average_at_start", loadAverage());
    report.put("scenarios", new JsonObject().put("switch", new SwitchScenario(Path.of(o.get("--server-jar")), dataDir(o), env(o))
        .run(i(o, "--switch-size"), o.get("--switch-model"), i(o, "--queries"))));
    report.put("load_average_at_end", loadAverage());
    System.out.printf("load average at start %s, at end %s%n", report.getString("load_average_at_start"),
        report.getString("load_average_at_end"));
    return report;
  }

  private static Service service(Map<String, String> o) throws IOException, InterruptedException {
    if (o.get("--server-jar").isEmpty()) {
      return Service.running(o.get("--url"), Long.parseLong(o.get("--pid")));
    }
    Path data = dataDir(o);
    Path log = data.resolveSibling(data.getFileName() + "-server.log");
    System.out.printf("starting %s (data %s, log %s)%n", o.get("--server-jar"), data, log);
    return Service.start(Path.of(o.get("--server-jar")), data, env(o), log);
  }

  private static Path dataDir(Map<String, String> o) throws IOException {
    Path data = o.get("--data").isEmpty() ? Files.createTempDirectory("memory-bench").resolve("data") : Path.of(o.get("--data"));
    Files.createDirectories(data);
    return data;
  }

  private static Map<String, String> env(Map<String, String> o) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String kv : o.get("--env").split(",")) {
      if (kv.contains("=")) {
        env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
      }
    }
    return env;
  }

  /** Cores and memory of the machine the harness runs on (the service's too, for --server-jar). */
  static JsonObject machine() throws IOException {
    JsonObject m = new JsonObject().put("cores", Runtime.getRuntime().availableProcessors())
        .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"))
        .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    Path meminfo = Path.of("/proc/meminfo");
    if (Files.isReadable(meminfo)) {
      for (String line : Files.readAllLines(meminfo)) {
        if (line.startsWith("MemTotal:")) {
          m.put("memory_gib", Stats.round(Long.parseLong(line.replaceAll("\\D", "")) / 1024.0 / 1024.0));
        }
      }
    }
    return m;
  }

  /**
   * The 1, 5 and 15 minute load averages (Linux), or null: numbers measured while other work ran
   * on the machine say so in the report.
   */
  static String loadAverage() throws IOException {
    Path p = Path.of("/proc/loadavg");
    if (!Files.isReadable(p)) {
      return null;
    }
    String[] parts = Files.readString(p).trim().split("\\s+");
    return parts[0] + " " + parts[1] + " " + parts[2];
  }

  private static int i(Map<String, String> o, String key) {
    try {
      return Integer.parseInt(o.get(key));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, got '" + o.get(key) + "'");
    }
  }

  private static List<Integer> ints(String csv) {
    return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(Integer::parseInt).toList();
  }
}
