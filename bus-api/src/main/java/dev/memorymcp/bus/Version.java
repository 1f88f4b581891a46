package dev.memorymcp.bus;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The service version, from the build. */
public final class Version {
  private Version() {}

  private static final String VERSION = load();

  public static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("/META-INF/memory-service.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "dev");
    } catch (IOException e) {
      return "dev";
    }
  }
}
