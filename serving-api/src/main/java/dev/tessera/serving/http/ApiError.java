package dev.tessera.serving.http;

import java.util.Map;
import java.util.Objects;

/**
 * The one error shape of every HTTP answer that is not a success: a stable machine-readable code,
 * a message for people, and details (the offending parameter, the limit, ...). Never a stack trace.
 */
public record ApiError(String code, String message, Map<String, Object> details) {
  public ApiError {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
    details = details == null ? Map.of() : Map.copyOf(details);
  }

  public static ApiError of(String code, String message) {
    return new ApiError(code, message, Map.of());
  }
}
