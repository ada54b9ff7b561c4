package dev.tessera.serving.features;

import dev.tessera.serving.http.BearerAuth;
import dev.tessera.serving.http.ErrorResponses;
import dev.tessera.serving.metrics.HttpMetrics;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * The hot read, {@code GET /v1/members/{memberId}/features[?groups=a,b]}, answered without the
 * routing DSL. The DSL builds its directives per request (closures, path-matcher results, futures):
 * about 16 KB of garbage per single read, most of the read path's allocation, and the young
 * collections it causes are the read tail at 20k reads/s.
 *
 * <p>It takes only requests whose answer cannot differ from the route's: a GET with no body, the
 * exact path with a non-empty segment that needs no percent-decoding, no query or only {@code
 * groups=} with plain characters, and reads the caller may make. Everything else (401/403, other
 * parameters, encoded characters, other methods) returns null and goes to the route. The answer
 * itself comes from {@link FeatureRoutes#read}, the route's own code, and is counted under the
 * route's metric name.
 */
public final class MemberReadPath {
  /** The metric name of this read, whichever path answers it. */
  public static final String ROUTE = "member_features";
  private static final String PREFIX = "/v1/members/";
  private static final String SUFFIX = "/features";
  private static final String GROUPS = "groups=";

  private final FeatureRoutes features;
  private final BearerAuth auth;
  private final HttpMetrics metrics;
  private final ErrorResponses errors;

  public MemberReadPath(FeatureRoutes features, BearerAuth auth, HttpMetrics metrics,
      ErrorResponses errors) {
    this.features = features;
    this.auth = auth;
    this.metrics = metrics;
    this.errors = errors;
  }

  /** The answer when this path takes {@code request}, else null (the route answers it). */
  public CompletionStage<HttpResponse> answer(HttpRequest request) {
    if (!HttpMethods.GET.equals(request.method()) || !request.entity().isKnownEmpty()) {
      return null;
    }
    String path = request.getUri().path();
    int end = path.length() - SUFFIX.length();
    if (end <= PREFIX.length() || !path.startsWith(PREFIX) || !path.endsWith(SUFFIX)
        || !plainSegment(path, PREFIX.length(), end)) {
      return null;
    }
    Optional<String> groups = Optional.empty();
    Optional<String> query = request.getUri().rawQueryString();
    if (query.isPresent()) {
      String raw = query.get();
      if (!raw.startsWith(GROUPS) || !plainGroups(raw)) {
        return null;
      }
      groups = Optional.of(raw.substring(GROUPS.length()));
    }
    if (!auth.allowsRead(request)) {
      return null;
    }
    long started = System.nanoTime();
    CompletionStage<HttpResponse> answer;
    try {
      answer = features.read(path.substring(PREFIX.length(), end), groups);
    } catch (RuntimeException e) {
      answer = CompletableFuture.completedFuture(errors.fromThrowable(e));
    }
    return answer.thenApply(response -> {
      metrics.observe(ROUTE, "GET", response.status().intValue(),
          System.nanoTime() - started);
      return response;
    });
  }

  /**
   * A segment the route sees as it is here: Pekko's parser already decoded it, so a '/' came from
   * an encoded slash (one segment for the route) and a '%' from an encoded percent.
   */
  private static boolean plainSegment(String path, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = path.charAt(i);
      if (c == '/' || c == '%') {
        return false;
      }
    }
    return true;
  }

  /** {@code groups=} followed by characters that query decoding leaves as they are. */
  private static boolean plainGroups(String raw) {
    for (int i = GROUPS.length(); i < raw.length(); i++) {
      char c = raw.charAt(i);
      boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '-' || c == '.' || c == ',';
      if (!plain) {
        return false;
      }
    }
    return true;
  }
}
