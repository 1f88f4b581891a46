package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memorymcp.bus.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The README's configuration table must list every setting the code reads, and nothing else. */
@DisplayName("README")
class ReadmeTest {
  @Test
  @DisplayName("documents every MEMORY_MCP_* setting and no setting that does not exist")
  void configurationTableMatchesCode() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    for (Settings.Key k : Settings.KEYS) {
      assertThat(readme).as("README documents %s", k.env()).contains("`" + k.env() + "`");
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("`(MEMORY_MCP_[A-Z_]+)`").matcher(readme);
    while (m.find()) {
      String env = m.group(1);
      if (!env.endsWith("_")) {
        assertThat(Settings.byEnv()).as("README mentions %s, which the code does not read", env).containsKey(env);
      }
    }
  }
}
