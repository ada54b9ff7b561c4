package dev.tessera.serving.http;

import java.util.Map;
import java.util.Objects;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * An expected failure of a request, with the status and {@link ApiError} it answers with. Routes
 * throw it (or fail a future with it); {@link ErrorResponses} turns it into the response. It has no
 * stack trace: it is an answer, not a bug.
 */
public final class ApiProblem extends RuntimeException {
  private final StatusCode status;
  private final ApiError error;

  public ApiProblem(StatusCode status, ApiError error) {
    super(error.code() + ": " + error.message(), null, false, false);
    this.status = Objects.requireNonNull(status, "status");
    this.error = error;
  }

  public StatusCode status() {
    return status;
  }

  public ApiError error() {
    return error;
  }

  public static ApiProblem badRequest(String code, String message, Map<String, Object> details) {
    return new ApiProblem(StatusCodes.BAD_REQUEST, new ApiError(code, message, details));
  }

  public static ApiProblem notFound(String code, String message, Map<String, Object> details) {
    return new ApiProblem(StatusCodes.NOT_FOUND, new ApiError(code, message, details));
  }

  public static ApiProblem tooLarge(String code, String message, Map<String, Object> details) {
    return new ApiProblem(StatusCodes.PAYLOAD_TOO_LARGE, new ApiError(code, message, details));
  }

  public static ApiProblem unavailable(String code, String message) {
    return new ApiProblem(StatusCodes.SERVICE_UNAVAILABLE, ApiError.of(code, message));
  }
}
