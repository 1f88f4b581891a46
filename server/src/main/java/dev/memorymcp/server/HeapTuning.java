package dev.memorymcp.server;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the heap near what the service uses. The JVM may grow its heap to a quarter of the RAM and
 * G1 gives little back: at 100k memories the service stayed at 2.6 GiB resident with 260 MB live.
 * G1 shrinks the heap after a marking cycle down to {@code MaxHeapFreeRatio} free, 70% by default;
 * at 20% (and 5% minimum) the same run held 1.7 GiB at the same latency (bench/RESULTS.md). A
 * periodic collection when idle returns what a burst took. These three flags are manageable, so
 * they are set at run time; one given on the command line ({@code -XX:}, {@code JAVA_TOOL_OPTIONS})
 * is left as it is.
 */
final class HeapTuning {
  private static final Logger LOG = LoggerFactory.getLogger(HeapTuning.class);

  /** Flag → value, in the order they must be set (the minimum may not exceed the maximum). */
  static final Map<String, String> TIGHT = tight();

  private HeapTuning() {}

  private static Map<String, String> tight() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("MinHeapFreeRatio", "5");
    m.put("MaxHeapFreeRatio", "20");
    m.put("G1PeriodicGCInterval", "60000");
    return m;
  }

  /** Sets {@link #TIGHT} on this JVM where the flags are at their defaults; returns what it set. */
  static Map<String, String> apply() {
    HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    Map<String, String> set = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : plan(name -> option(hotspot, name)).entrySet()) {
      try {
        hotspot.setVMOption(e.getKey(), e.getValue());
        set.put(e.getKey(), e.getValue());
      } catch (RuntimeException err) { // another JVM or collector: leave its heap alone
        LOG.debug("cannot set {}: {}", e.getKey(), err.getMessage());
      }
    }
    if (!set.isEmpty()) {
      LOG.info("heap kept near its use: {} (a -XX: flag of the same name takes precedence)", set);
    }
    return set;
  }

  /** The flags of {@link #TIGHT} that exist, are writeable and still have their default value. */
  static Map<String, String> plan(Function<String, VMOption> current) {
    Map<String, String> out = new LinkedHashMap<>();
    TIGHT.forEach((name, value) -> {
      VMOption o = current.apply(name);
      if (o != null && o.isWriteable() && o.getOrigin() == VMOption.Origin.DEFAULT) {
        out.put(name, value);
      }
    });
    return out;
  }

  private static VMOption option(HotSpotDiagnosticMXBean hotspot, String name) {
    try {
      return hotspot.getVMOption(name);
    } catch (IllegalArgumentException e) {
      return null; // not this JVM's flag
    }
  }
}
