package io.aerodb.ratis;

import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.metrics.MetricRegistries;
import org.apache.ratis.metrics.RatisMetricRegistry;
import org.apache.ratis.metrics.dropwizard3.Dm3RatisMetricRegistryImpl;

/**
 * Collects Ratis' own metric registries (ratis-metrics-dropwizard3) so the node can export them.
 *
 * <p>Must run before the first Raft server is built: Ratis otherwise installs a default JMX
 * reporter, which needs classes that metrics-core 4 moved out of com.codahale.metrics
 * (ObjectNameFactory), and fails to create the server. Registering our own reporter first keeps
 * that default off. Idempotent; JVM-wide (Ratis' MetricRegistries is a global).
 */
public final class RatisMetrics {
  private static final Set<RatisMetricRegistry> REGISTRIES = ConcurrentHashMap.newKeySet();
  private static volatile boolean installed;

  private RatisMetrics() {}

  public static synchronized void install() {
    if (installed) {
      return;
    }
    MetricRegistries.global().addReporterRegistration(REGISTRIES::add, REGISTRIES::remove);
    installed = true;
  }

  /** The live Ratis registries (one per component per server division). */
  public static Collection<RatisMetricRegistry> registries() {
    return Collections.unmodifiableSet(REGISTRIES);
  }

  /** The Dropwizard registry behind a Ratis registry. */
  public static com.codahale.metrics.MetricRegistry dropwizard(RatisMetricRegistry r) {
    return ((Dm3RatisMetricRegistryImpl) r).getDropWizardMetricRegistry();
  }
}
