package io.aerodb.node.config;

import io.aerodb.core.error.AeroError;

/**
 * The node refuses to start: the error names the key, the value and the rule (all AERO_CONFIG_*).
 */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient AeroError error;

  public ConfigException(AeroError error) {
    super(error.toString(), null, false, false);
    this.error = error;
  }

  public AeroError error() {
    return error;
  }
}
