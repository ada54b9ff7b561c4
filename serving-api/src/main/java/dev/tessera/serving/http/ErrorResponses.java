package dev.tessera.serving.http;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.server.AuthorizationFailedRejection;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MalformedQueryParamRejection;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.MissingQueryParamRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.server.UnsupportedRequestContentTypeRejection;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.http.scaladsl.model.IllegalRequestException;
import org.apache.pekko.pattern.AskTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP answers, all in the {@link ApiError} shape: bad input is
 * 4xx with what was wrong, a read that cannot be answered yet is 503 with {@code Retry-After}, and
 * anything unexpected is a 500 with an incident id that is logged with the stack trace (which never
 * reaches the client).
 */
public final class ErrorResponses {
  private static final Logger log = LoggerFactory.getLogger(ErrorResponses.class);

  private final String retryAfterSeconds;

  public ErrorResponses(Duration retryAfter) {
    this.retryAfterSeconds = Long.toString(Math.max(1, (retryAfter.toMillis() + 999) / 1000));
  }

  public HttpResponse response(StatusCode status, ApiError error) {
    HttpResponse response = Json.response(status, error);
    if (status.intValue() == 503) {
      response = response.addHeader(RawHeader.create("Retry-After", retryAfterSeconds));
    }
    if (status.intValue() == 401) {
      response = response.addHeader(WWWAuthenticate.create(HttpChallenge.create("Bearer",
          "tessera")));
    }
    return response;
  }

  /** The answer to a failed request: expected problems as they say, the rest as above. */
  public HttpResponse fromThrowable(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof ApiProblem problem) {
      return response(problem.status(), problem.error());
    }
    if (cause instanceof TimeoutException || cause instanceof AskTimeoutException) {
      return response(StatusCodes.SERVICE_UNAVAILABLE, ApiError.of("TIMEOUT",
          "the feature read did not finish in time; retry shortly"));
    }
    if (cause instanceof EntityStreamSizeException size) {
      return response(StatusCodes.PAYLOAD_TOO_LARGE, new ApiError("REQUEST_TOO_LARGE",
          "the request body is larger than allowed", Map.of("limit", size.limit())));
    }
    if (cause instanceof IllegalRequestException illegal) {
      StatusCode status = illegal.status();
      // toStrictEntity reports a body over its limit as a 400 "Request too large".
      if (illegal.info().summary().startsWith("Request too large")) {
        status = StatusCodes.PAYLOAD_TOO_LARGE;
      }
      String code = status.intValue() == 413 ? "REQUEST_TOO_LARGE" : codeOf(status);
      return response(status, ApiError.of(code, illegal.info().summary()));
    }
    String incident = UUID.randomUUID().toString();
    log.error("Request failed unexpectedly (incident {})", incident, cause);
    return response(StatusCodes.INTERNAL_SERVER_ERROR, new ApiError("INTERNAL",
        "the server failed to answer; the incident id is in its log", Map.of("incident",
            incident)));
  }

  public static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  public ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder()
        .match(Throwable.class, failure -> Directives.complete(fromThrowable(failure)))
        .build();
  }

  /** Rejections of a matched endpoint or of no endpoint at all, as JSON errors. */
  public RejectionHandler rejectionHandler() {
    return RejectionHandler.newBuilder()
        .handle(MissingQueryParamRejection.class, r -> complete(StatusCodes.BAD_REQUEST,
            new ApiError("MISSING_PARAMETER", "query parameter '" + r.parameterName()
                + "' is required", Map.of("parameter", r.parameterName()))))
        .handle(MalformedQueryParamRejection.class, r -> complete(StatusCodes.BAD_REQUEST,
            new ApiError("INVALID_PARAMETER", "query parameter '" + r.parameterName()
                + "' is malformed: " + r.errorMsg(), Map.of("parameter", r.parameterName()))))
        .handle(MalformedRequestContentRejection.class, r -> complete(StatusCodes.BAD_REQUEST,
            ApiError.of("MALFORMED_BODY", "the request body is not valid: " + r.message())))
        .handle(UnsupportedRequestContentTypeRejection.class,
            r -> complete(StatusCodes.UNSUPPORTED_MEDIA_TYPE,
                ApiError.of("UNSUPPORTED_MEDIA_TYPE", "send the body as application/json")))
        .handle(AuthorizationFailedRejection.class, r -> complete(StatusCodes.FORBIDDEN,
            ApiError.of("FORBIDDEN", "the token does not allow this request")))
        .handleAll(MethodRejection.class, rejections -> complete(StatusCodes.METHOD_NOT_ALLOWED,
            new ApiError("METHOD_NOT_ALLOWED", "method not allowed here", Map.of("allowed",
                rejections.stream().map(r -> r.supported().name()).distinct().toList()))))
        .handleNotFound(complete(StatusCodes.NOT_FOUND,
            ApiError.of("NO_SUCH_ENDPOINT", "no endpoint at this path; see /v1/openapi.yaml")))
        .build()
        .withFallback(RejectionHandler.defaultHandler())
        .mapRejectionResponse(response -> {
          // Pekko's default texts for the remaining rejections, reshaped into ApiError JSON.
          if (response.entity().getContentType().equals(
              org.apache.pekko.http.javadsl.model.ContentTypes.APPLICATION_JSON)) {
            return response;
          }
          String text = response.entity() instanceof
              org.apache.pekko.http.javadsl.model.HttpEntity.Strict strict
              ? strict.getData().utf8String() : response.status().reason();
          return response(response.status(), ApiError.of(codeOf(response.status()), text));
        });
  }

  private Route complete(StatusCode status, ApiError error) {
    return Directives.complete(response(status, error));
  }

  private static String codeOf(StatusCode status) {
    return switch (status.intValue()) {
      case 400 -> "BAD_REQUEST";
      case 401 -> "UNAUTHORIZED";
      case 403 -> "FORBIDDEN";
      case 404 -> "NOT_FOUND";
      case 405 -> "METHOD_NOT_ALLOWED";
      case 406 -> "NOT_ACCEPTABLE";
      case 413 -> "REQUEST_TOO_LARGE";
      case 415 -> "UNSUPPORTED_MEDIA_TYPE";
      default -> "HTTP_" + status.intValue();
    };
  }

}
