package dev.tessera.serving.http;

import dev.tessera.serving.metrics.HttpMetrics;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Wraps each matched endpoint: its latency is recorded under a fixed route name, and whatever it
 * fails with or rejects becomes an {@link ApiError} answer right there (a matched endpoint's
 * rejection is final, so it is counted under its own route name).
 */
public final class Endpoints extends AllDirectives {
  /** Marks a response an endpoint produced; removed before the response leaves the server. */
  private static final RawHeader MATCHED = RawHeader.create("x-tessera-endpoint", "1");

  private final HttpMetrics metrics;
  private final ErrorResponses errors;
  // Built once: every request goes through them.
  private final ExceptionHandler exceptionHandler;
  private final RejectionHandler rejectionHandler;

  public Endpoints(HttpMetrics metrics, ErrorResponses errors) {
    this.metrics = metrics;
    this.errors = errors;
    this.exceptionHandler = errors.exceptionHandler();
    this.rejectionHandler = errors.rejectionHandler();
  }

  public Route endpoint(String name, Supplier<Route> inner) {
    return extractRequest(request -> {
      long started = System.nanoTime();
      String method = request.method().name();
      return mapResponse(response -> {
        metrics.observe(name, method, response.status().intValue(), System.nanoTime() - started);
        return response.addHeader(MATCHED);
      }, () -> sealed(inner));
    });
  }

  /**
   * The outermost wrapper: answers what no endpoint matched (unknown path, wrong method) and
   * counts it as {@code unmatched}; requests an endpoint answered were counted there already.
   */
  public Route outermost(Supplier<Route> tree) {
    return extractRequest(request -> {
      long started = System.nanoTime();
      String method = request.method().name();
      return mapResponse(response -> {
        if (response.getHeader(MATCHED.name()).isPresent()) {
          return response.removeHeader(MATCHED.name());
        }
        metrics.observe("unmatched", method, response.status().intValue(),
            System.nanoTime() - started);
        return response;
      }, () -> sealed(tree));
    });
  }

  /** Failures and rejections of {@code inner} as JSON answers. */
  public Route sealed(Supplier<Route> inner) {
    return handleExceptions(exceptionHandler, () -> handleRejections(rejectionHandler, inner));
  }

  public ErrorResponses errors() {
    return errors;
  }
}
