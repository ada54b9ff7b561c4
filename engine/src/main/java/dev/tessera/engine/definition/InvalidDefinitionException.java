package dev.tessera.engine.definition;

/**
 * A feature definition in config is invalid; the message names the exact config path and the
 * reason.
 */
public final class InvalidDefinitionException extends RuntimeException {
  private final String path;
  private final String reason;

  public InvalidDefinitionException(String path, String reason) {
    super(path + ": " + reason);
    this.path = path;
    this.reason = reason;
  }

  /**
   * The full config path of the offending key, e.g. {@code
   * tessera.feature-groups.g.features.f.window}.
   */
  public String path() {
    return path;
  }

  public String reason() {
    return reason;
  }
}
