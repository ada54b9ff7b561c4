package dev.tessera.embedded;

/**
 * A failure to start, reach or stop an embedded server, with a one-line message that names the cause
 * and, where one exists, the setting to change. Launchers print the message, never the stack trace.
 */
public final class InfrastructureException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InfrastructureException(String message) {
    super(message);
  }

  public InfrastructureException(String message, Throwable cause) {
    super(message, cause);
  }
}
