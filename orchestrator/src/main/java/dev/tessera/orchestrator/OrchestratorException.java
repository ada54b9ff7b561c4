package dev.tessera.orchestrator;

import java.util.Objects;

/**
 * An expected failure of a {@link WorkflowService} call, with a code the HTTP layer maps to a
 * status: {@code NOT_FOUND} 404, {@code CONFLICT} 409, {@code INVALID} 400, {@code UNAVAILABLE}
 * 503 (no answer within {@code ask-timeout}).
 */
public final class OrchestratorException extends RuntimeException {

  public enum Code {
    NOT_FOUND("not_found"), CONFLICT("conflict"), INVALID("invalid"), UNAVAILABLE("unavailable");

    private final String id;

    Code(String id) {
      this.id = id;
    }

    /** The code as JSON shows it ({@code not_found}, ...). */
    public String id() {
      return id;
    }
  }

  private final Code code;

  public OrchestratorException(Code code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code, "code");
  }

  public Code code() {
    return code;
  }

  /** From an entity's {@code StatusReply.error("<code>: <message>")}. */
  static OrchestratorException fromReply(String message) {
    for (Code code : Code.values()) {
      if (message.startsWith(code.id() + ": ")) {
        return new OrchestratorException(code, message.substring(code.id().length() + 2));
      }
    }
    return new OrchestratorException(Code.INVALID, message);
  }
}
