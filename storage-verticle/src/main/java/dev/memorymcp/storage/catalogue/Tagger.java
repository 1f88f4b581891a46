package dev.memorymcp.storage.catalogue;

import dev.memorymcp.bus.MemoryInput;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Fills a memory's category and tags when the writer gave none: the category from keywords of the
 * content (English words, Japanese terms), tags from the programming language of a file path in
 * the metadata and from technology names in the content. What was inferred is listed in
 * {@code metadata.inferred}, so a reader can tell it from what the writer said; PATCH changes it.
 * Nothing the writer gave is replaced.
 */
public final class Tagger {
  private Tagger() {}

  /** Most tags inferred for one memory. */
  static final int MAX_TAGS = 5;
  /** Metadata keys read as a file path. */
  static final List<String> PATH_KEYS = List.of("file_path", "file", "path", "filepath", "filename");

  private static final Map<String, Pattern> CATEGORIES = new LinkedHashMap<>();

  static {
    category("code", List.of("code", "function", "method", "class", "bug", "refactor", "compile", "compiler",
        "unit test", "tests", "api", "library", "repository", "repo", "commit", "pull request", "exception", "stack trace"),
        List.of("コード", "関数", "メソッド", "クラス", "バグ", "リファクタ", "コンパイル", "テスト", "ライブラリ", "リポジトリ", "コミット", "例外"));
    category("infrastructure", List.of("deploy", "deployment", "server", "docker", "kubernetes", "k8s", "ci", "pipeline",
        "database", "cloud", "aws", "gcp", "azure", "staging", "production", "cluster", "terraform"),
        List.of("デプロイ", "サーバー", "サーバ", "データベース", "本番", "インフラ", "クラスタ", "ステージング"));
    category("tools", List.of("editor", "ide", "terminal", "shell", "vim", "neovim", "emacs", "vscode", "vs code", "keyboard",
        "laptop", "monitor", "theme", "font"),
        List.of("エディタ", "エディター", "ツール", "ターミナル", "キーボード", "ノートパソコン", "テーマ", "フォント"));
    category("schedule", List.of("meeting", "standup", "stand-up", "deadline", "weekly", "calendar", "appointment",
        "every monday", "every tuesday", "every wednesday", "every thursday", "every friday", "every morning", "every day",
        "tomorrow", "o'clock"),
        List.of("会議", "ミーティング", "締め切り", "締切", "予定", "毎週", "毎朝", "毎日", "明日", "定例"));
    category("food", List.of("coffee", "tea", "lunch", "dinner", "breakfast", "ramen", "sushi", "pizza", "allergic",
        "allergy", "vegetarian", "vegan", "food", "restaurant"),
        List.of("コーヒー", "お茶", "紅茶", "昼食", "夕食", "朝食", "ラーメン", "寿司", "ピザ", "アレルギー", "ベジタリアン", "料理", "レストラン"));
    category("personal", List.of("family", "wife", "husband", "kids", "children", "daughter", "son", "birthday", "hobby",
        "weekend", "lives in", "vacation", "holiday", "pet", "dog", "cat"),
        List.of("家族", "妻", "夫", "子供", "娘", "息子", "誕生日", "趣味", "週末", "休暇", "旅行", "ペット", "犬", "猫"));
    category("work", List.of("project", "team", "client", "customer", "manager", "release", "roadmap", "sprint",
        "stakeholder", "requirement", "office"),
        List.of("プロジェクト", "チーム", "顧客", "上司", "リリース", "ロードマップ", "スプリント", "要件", "仕事", "職場"));
  }

  private static void category(String name, List<String> english, List<String> japanese) {
    List<String> alternatives = new ArrayList<>();
    english.forEach(w -> alternatives.add("\\b" + Pattern.quote(w) + "\\b"));
    japanese.forEach(w -> alternatives.add(Pattern.quote(w)));
    CATEGORIES.put(name, Pattern.compile(String.join("|", alternatives), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE));
  }

  /** Technology names found in text, by their tag. */
  private static final Map<String, Pattern> TECHNOLOGIES = new LinkedHashMap<>();

  static {
    for (String[] t : new String[][] {{"java", "java"}, {"python", "python"}, {"typescript", "typescript"},
        {"javascript", "javascript"}, {"rust", "rust"}, {"kotlin", "kotlin"}, {"golang", "go"}, {"docker", "docker"},
        {"kubernetes|k8s", "kubernetes"}, {"postgres|postgresql", "postgresql"}, {"mysql", "mysql"},
        {"sqlite", "sqlite"}, {"redis", "redis"}, {"react", "react"}, {"vue", "vue"}, {"spring boot|spring", "spring"},
        {"vert\\.x|vertx", "vertx"}, {"aws", "aws"}, {"terraform", "terraform"}, {"github actions", "github-actions"},
        {"github", "github"}, {"linux", "linux"}, {"neovim", "neovim"}, {"vim", "vim"}, {"emacs", "emacs"},
        {"vs ?code", "vscode"}, {"qdrant", "qdrant"}, {"graphql", "graphql"}, {"node\\.js|nodejs", "nodejs"}}) {
      TECHNOLOGIES.put(t[1], Pattern.compile("(?<![\\p{L}\\p{N}])(?:" + t[0] + ")(?![\\p{L}\\p{N}])", Pattern.CASE_INSENSITIVE));
    }
  }

  private static final Map<String, String> EXTENSIONS = Map.ofEntries(Map.entry("java", "java"),
      Map.entry("py", "python"), Map.entry("ts", "typescript"), Map.entry("tsx", "typescript"),
      Map.entry("js", "javascript"), Map.entry("jsx", "javascript"), Map.entry("mjs", "javascript"),
      Map.entry("go", "go"), Map.entry("rs", "rust"), Map.entry("rb", "ruby"), Map.entry("kt", "kotlin"),
      Map.entry("md", "markdown"), Map.entry("sql", "sql"), Map.entry("yaml", "yaml"), Map.entry("yml", "yaml"),
      Map.entry("sh", "shell"), Map.entry("cs", "csharp"), Map.entry("cpp", "cpp"), Map.entry("cc", "cpp"),
      Map.entry("c", "c"), Map.entry("h", "c"), Map.entry("swift", "swift"), Map.entry("php", "php"),
      Map.entry("scala", "scala"), Map.entry("html", "html"), Map.entry("css", "css"), Map.entry("json", "json"),
      Map.entry("toml", "toml"), Map.entry("dockerfile", "docker"), Map.entry("tf", "terraform"));

  /** The category the content's keywords point to most (the first listed wins a tie), or null. */
  static String category(String content) {
    String best = null;
    int bestHits = 0;
    for (Map.Entry<String, Pattern> e : CATEGORIES.entrySet()) {
      int hits = (int) e.getValue().matcher(content).results().count();
      if (hits > bestHits) {
        best = e.getKey();
        bestHits = hits;
      }
    }
    return best;
  }

  /** The language of a file path in the metadata, then technologies named in the content. */
  static List<String> tags(String content, JsonObject metadata) {
    Set<String> out = new LinkedHashSet<>();
    if (metadata != null) {
      for (String key : PATH_KEYS) {
        if (metadata.getValue(key) instanceof String path && !path.isBlank()) {
          String file = path.replace('\\', '/').substring(path.replace('\\', '/').lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
          String ext = file.equals("dockerfile") ? "dockerfile" : file.contains(".") ? file.substring(file.lastIndexOf('.') + 1) : "";
          if (EXTENSIONS.containsKey(ext)) {
            out.add(EXTENSIONS.get(ext));
          }
          break;
        }
      }
    }
    for (Map.Entry<String, Pattern> e : TECHNOLOGIES.entrySet()) {
      if (out.size() >= MAX_TAGS) {
        break;
      }
      if (e.getValue().matcher(content).find()) {
        out.add(e.getKey());
      }
    }
    return List.copyOf(out);
  }

  /** The input with a category and tags filled in where it had none, noted in {@code metadata.inferred}. */
  public static MemoryInput fill(MemoryInput in) {
    boolean needCategory = in.category() == null || in.category().isBlank();
    boolean needTags = in.tags() == null || in.tags().isEmpty();
    if (!needCategory && !needTags) {
      return in;
    }
    String category = needCategory ? category(in.content()) : in.category();
    List<String> tags = needTags ? tags(in.content(), in.metadata()) : in.tags();
    JsonArray inferred = new JsonArray();
    if (needCategory && category != null) {
      inferred.add("category");
    }
    if (needTags && !tags.isEmpty()) {
      inferred.add("tags");
    }
    if (inferred.isEmpty()) {
      return in;
    }
    JsonObject metadata = in.metadata() == null ? new JsonObject() : in.metadata().copy();
    metadata.put("inferred", inferred);
    return new MemoryInput(in.content(), in.type(), in.scope(), in.scopeId(), in.name(), in.summary(), tags, category,
        in.importance(), in.confidence(), metadata, in.source(), in.sessionId(), in.createdAt(), in.expiresAt(),
        in.relations());
  }
}
