package io.aerodb.node.observe;

import io.aerodb.core.error.AeroError;

/** A status route refused its query parameters with an AeroDB error; answered as HTTP 400. */
public final class StatusRequestException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  final transient AeroError error;

  public StatusRequestException(AeroError error) {
    super(error.message(), null, false, false);
    this.error = error;
  }
}
