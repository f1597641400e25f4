package io.aerodb.node.raft;

import java.util.Locale;

/**
 * Deliberately broken behaviours, for the fault harness's red gates only: a checker that no longer
 * notices a lying database must fail the build, so the harness runs the same scenario against a
 * node that lies and requires a violation (docs/TESTING.md). A gate is switched on only by the JVM
 * property {@code -Daerodb.redgate=NAME}, which nothing but the harness's process launcher passes
 * (no config key, no CLI flag); a node with a gate on logs a RED_GATE event at ERROR at start.
 * Never set it anywhere else.
 */
public enum RedGate {
  /** Normal behaviour. */
  NONE,
  /** Linearizable reads are answered from local state: no ReadIndex, no leadership confirmation. */
  LOCAL_LINEARIZABLE_READS,
  /** A leader acknowledges a write as soon as it proposed it, before it commits. */
  ACK_BEFORE_COMMIT,
  /**
   * Log entries count as written before they are fsynced (Ratis' unsafe flush): acknowledged writes
   * live only in the page cache until a later flush, so a power cut loses them.
   */
  UNSAFE_FLUSH;

  /** The system property that names the active gate. */
  public static final String PROPERTY = "aerodb.redgate";

  /** The gate this JVM runs with (read once). */
  public static final RedGate ACTIVE = parse(System.getProperty(PROPERTY, ""));

  static RedGate parse(String name) {
    if (name.isEmpty()) {
      return NONE;
    }
    String wanted = name.toUpperCase(Locale.ROOT).replace('-', '_');
    for (RedGate g : values()) {
      if (g.name().equals(wanted)) {
        return g;
      }
    }
    throw new IllegalArgumentException(
        "-D" + PROPERTY + "=" + name + " names no red gate; gates: " + java.util.List.of(values()));
  }

  public boolean on() {
    return ACTIVE == this;
  }
}
