package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("heap tuning at start")
class HeapTuningTest {

  @Test
  @DisplayName("only flags still at their default are set: one from the command line, an unknown or a read-only one is left")
  void plansOnlyDefaults() {
    Map<String, VMOption> current = Map.of(
        "MinHeapFreeRatio", new VMOption("MinHeapFreeRatio", "40", true, VMOption.Origin.DEFAULT),
        "MaxHeapFreeRatio", new VMOption("MaxHeapFreeRatio", "50", true, VMOption.Origin.VM_CREATION),
        "G1PeriodicGCInterval", new VMOption("G1PeriodicGCInterval", "0", false, VMOption.Origin.DEFAULT));
    assertThat(HeapTuning.plan(current::get)).containsExactly(Map.entry("MinHeapFreeRatio", "5"));
    assertThat(HeapTuning.plan(name -> null)).isEmpty();
  }

  @Test
  @DisplayName("on this JVM the free-heap ratios and the idle collection take the service's values")
  void appliesToThisJvm() {
    HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    boolean wasDefault = hotspot.getVMOption("MaxHeapFreeRatio").getOrigin() == VMOption.Origin.DEFAULT;
    HeapTuning.apply();
    if (wasDefault) {
      assertThat(hotspot.getVMOption("MaxHeapFreeRatio").getValue()).isEqualTo("20");
      assertThat(hotspot.getVMOption("MinHeapFreeRatio").getValue()).isEqualTo("5");
    }
    assertThat(hotspot.getVMOption("MaxHeapFreeRatio").getOrigin()).isIn(VMOption.Origin.MANAGEMENT,
        VMOption.Origin.VM_CREATION, VMOption.Origin.ENVIRON_VAR);
  }
}
