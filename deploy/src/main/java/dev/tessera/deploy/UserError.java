package dev.tessera.deploy;

/** A problem the user can fix: printed as one line, never with a stack trace; exit code 1 or 2. */
public final class UserError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  public UserError(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
