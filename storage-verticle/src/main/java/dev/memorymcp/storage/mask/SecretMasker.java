package dev.memorymcp.storage.mask;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces credentials with {@code [REDACTED:kind]} before anything is embedded or stored, so a
 * pasted key never reaches the database, the index or a recall result.
 */
public final class SecretMasker {

  /** The masked text and the kinds of secret that were found. */
  public record Result(String text, Set<String> kinds) {}

  private record Rule(String kind, Pattern pattern, int group) {}

  private static final List<Rule> RULES = new ArrayList<>();

  static {
    rule("private_key", "-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?-----END [A-Z ]*PRIVATE KEY-----", 0);
    rule("aws_access_key", "\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b", 0);
    rule("aws_secret_key", "(?i)aws_?secret_?(?:access_?)?key\\s*[:=]\\s*[\"']?([A-Za-z0-9/+=]{40})", 1);
    rule("openai_key", "\\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}", 0);
    rule("anthropic_key", "\\bsk-ant-[A-Za-z0-9_-]{20,}", 0);
    rule("github_token", "\\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}|\\bgithub_pat_[A-Za-z0-9_]{40,}", 0);
    rule("slack_token", "\\bxox[abprs]-[A-Za-z0-9-]{10,}", 0);
    rule("google_api_key", "\\bAIza[0-9A-Za-z_-]{35}\\b", 0);
    rule("jwt", "\\beyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}", 0);
    rule("bearer_token", "(?i)\\bbearer\\s+([A-Za-z0-9._~+/=-]{16,})", 1);
    rule("connection_url", "\\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\\s:/@]+:([^\\s@/]+)@", 1);
    rule("password", "(?i)\\b(?:password|passwd|pwd|passphrase|パスワード)\\s*(?:is|[:=＝は])\\s*[\"']?([!#-&(-+\\--~&&[^,;]]{4,})", 1);
    rule("api_key", "(?i)\\b(?:api[_-]?key|apikey|secret[_-]?key|access[_-]?token|auth[_-]?token|client[_-]?secret|token|secret)\\s*[:=]\\s*[\"']?([A-Za-z0-9._~+/=-]{12,})", 1);
  }

  private static void rule(String kind, String regex, int group) {
    RULES.add(new Rule(kind, Pattern.compile(regex), group));
  }

  private SecretMasker() {}

  public static Result mask(String text) {
    if (text == null) {
      return new Result(null, Set.of());
    }
    Set<String> kinds = new LinkedHashSet<>();
    String out = text;
    for (Rule r : RULES) {
      Matcher m = r.pattern().matcher(out);
      StringBuilder b = new StringBuilder();
      boolean found = false;
      while (m.find()) {
        if (m.group(r.group()) == null || m.group(r.group()).startsWith("[REDACTED:")) {
          continue;
        }
        found = true;
        String whole = m.group();
        String replaced = r.group() == 0 ? "[REDACTED:" + r.kind() + "]"
            : whole.substring(0, m.start(r.group()) - m.start()) + "[REDACTED:" + r.kind() + "]"
                + whole.substring(m.end(r.group()) - m.start());
        m.appendReplacement(b, Matcher.quoteReplacement(replaced));
      }
      if (found) {
        m.appendTail(b);
        out = b.toString();
        kinds.add(r.kind());
      }
    }
    return new Result(out, kinds);
  }
}
